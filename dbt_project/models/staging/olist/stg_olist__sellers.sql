with

source as (

    select * from {{ source('olist', 'olist_sellers') }}

),

renamed as (

    select
        seller_id,
        lpad(cast({{ integer_from_text('seller_zip_code_prefix') }} as varchar), 5, '0') as zip_code_prefix,
        seller_city as city,
        seller_state as state,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'seller_id') }}

)

select * from deduplicated

with

source as (

    select * from {{ source('olist', 'olist_customers') }}

),

renamed as (

    select
        customer_id,
        customer_unique_id,
        -- A pandas round trip dropped the leading zeros of Brazilian zip prefixes (01046 -> 1046).
        lpad(cast({{ integer_from_text('customer_zip_code_prefix') }} as varchar), 5, '0') as zip_code_prefix,
        customer_city as city,
        customer_state as state,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'customer_id') }}

)

select * from deduplicated

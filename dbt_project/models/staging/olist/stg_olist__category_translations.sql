with

source as (

    select * from {{ source('olist', 'olist_category_translations') }}

),

renamed as (

    select
        product_category_name as category_name,
        product_category_name_english as category_name_english,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'category_name') }}

)

select * from deduplicated

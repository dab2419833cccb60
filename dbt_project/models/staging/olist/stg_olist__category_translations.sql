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

    select * exclude (_loaded_at_for_dedup, _source_file_for_dedup)
    from renamed
    qualify row_number() over (
        partition by category_name order by _loaded_at_for_dedup desc, _source_file_for_dedup desc
    ) = 1

)

select * from deduplicated

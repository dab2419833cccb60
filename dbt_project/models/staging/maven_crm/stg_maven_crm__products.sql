with

source as (

    select * from {{ source('maven_crm', 'maven_products') }}

),

renamed as (

    select
        product as product_name,
        -- The pipeline writes `GTXPro` for `GTX Pro`: names compare without spaces and case.
        lower(replace(product, ' ', '')) as product_key,
        series as product_series,
        cast({{ blank_as_null('sales_price') }} as decimal(18, 2)) as list_price,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'product_key') }}

)

select * from deduplicated

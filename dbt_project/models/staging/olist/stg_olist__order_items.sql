with

source as (

    select * from {{ source('olist', 'olist_order_items') }}

),

renamed as (

    select
        order_id,
        {{ integer_from_text('order_item_id') }} as order_item_number,
        product_id,
        seller_id,
        {{ utc_from_local('shipping_limit_date', var('olist_time_zone')) }} as shipping_limit_at,
        cast({{ blank_as_null('price') }} as decimal(18, 2)) as price,
        cast({{ blank_as_null('freight_value') }} as decimal(18, 2)) as freight_value,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'order_id, order_item_number') }}

)

select * from deduplicated

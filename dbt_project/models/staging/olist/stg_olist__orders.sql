with

source as (

    select * from {{ source('olist', 'olist_orders') }}

),

renamed as (

    select
        order_id,
        customer_id,
        order_status,
        {{ utc_from_local('order_purchase_timestamp', var('olist_time_zone')) }} as purchased_at,
        {{ utc_from_local('order_approved_at', var('olist_time_zone')) }} as approved_at,
        {{ utc_from_local('order_delivered_carrier_date', var('olist_time_zone')) }} as delivered_to_carrier_at,
        {{ utc_from_local('order_delivered_customer_date', var('olist_time_zone')) }} as delivered_to_customer_at,
        cast({{ blank_as_null('order_estimated_delivery_date') }} as timestamp)::date as estimated_delivery_date,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'order_id') }}

)

select * from deduplicated

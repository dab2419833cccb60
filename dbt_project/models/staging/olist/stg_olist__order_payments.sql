with

source as (

    select * from {{ source('olist', 'olist_order_payments') }}

),

renamed as (

    select
        order_id,
        {{ integer_from_text('payment_sequential') }} as payment_number,
        payment_type,
        {{ integer_from_text('payment_installments') }} as installments,
        cast({{ blank_as_null('payment_value') }} as decimal(18, 2)) as payment_value,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'order_id, payment_number') }}

)

select * from deduplicated

with

source as (

    select * from {{ source('olist', 'olist_products') }}

),

renamed as (

    select
        product_id,
        {{ blank_as_null('product_category_name') }} as category_name,
        -- `lenght` is the export's own spelling.
        {{ integer_from_text('product_name_lenght') }} as name_length,
        {{ integer_from_text('product_description_lenght') }} as description_length,
        {{ integer_from_text('product_photos_qty') }} as photo_count,
        {{ integer_from_text('product_weight_g') }} as weight_g,
        {{ integer_from_text('product_length_cm') }} as length_cm,
        {{ integer_from_text('product_height_cm') }} as height_cm,
        {{ integer_from_text('product_width_cm') }} as width_cm,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'product_id') }}

)

select * from deduplicated

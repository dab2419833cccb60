with

source as (

    select * from {{ source('reviews', 'reviews') }}

),

renamed as (

    select
        review_id,
        source as review_source,
        product,
        cast(rating as integer) as rating,
        title,
        body,
        author_name,
        lower({{ blank_as_null('author_email') }}) as author_email,
        lower(ltrim({{ blank_as_null('author_handle') }}, '@')) as author_handle,
        language,
        {{ utc_timestamp('created_at', source_time_zone('reviews')) }} as created_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'review_id') }}

)

select * from deduplicated

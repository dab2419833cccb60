with

source as (

    select * from {{ source('olist', 'olist_order_reviews') }}

),

renamed as (

    select
        review_id,
        order_id,
        {{ integer_from_text('review_score') }} as review_score,
        nullif(review_comment_title, '') as review_title,
        nullif(review_comment_message, '') as review_message,
        -- The survey is sent at midnight local time; the answer time is when the customer wrote the review.
        {{ utc_from_local('review_creation_date', var('olist_time_zone')) }} as survey_sent_at,
        {{ utc_from_local('review_answer_timestamp', var('olist_time_zone')) }} as answered_at,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'review_id, order_id') }}

)

select * from deduplicated

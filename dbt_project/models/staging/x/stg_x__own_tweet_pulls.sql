with

source as (

    select * from {{ source('x', 'x_own_tweets') }}

),

renamed as (

    select
        id as tweet_id,
        text as tweet_text,
        author_id,
        conversation_id,
        case
            when list_contains(
                list_transform(
                    from_json(referenced_tweets, '[{"type": "varchar", "id": "varchar"}]'),
                    lambda reference: reference.type
                ),
                'quoted'
            ) then 'quote'
            else 'post'
        end as post_type,
        lang,
        {{ utc_timestamp('created_at', source_time_zone('x')) }} as created_at,
        {{ utc_timestamp('pulled_at') }} as pulled_at,
        cast(public_metrics ->> 'impression_count' as bigint) as impression_count,
        cast(public_metrics ->> 'like_count' as bigint) as like_count,
        cast(public_metrics ->> 'reply_count' as bigint) as reply_count,
        cast(public_metrics ->> 'retweet_count' as bigint) as retweet_count,
        cast(public_metrics ->> 'quote_count' as bigint) as quote_count,
        cast(public_metrics ->> 'bookmark_count' as bigint) as bookmark_count,
        _batch_id,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'tweet_id, pulled_at') }}

)

select * from deduplicated

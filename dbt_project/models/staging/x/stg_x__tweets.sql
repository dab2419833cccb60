with

source as (

    select * from {{ source('x', 'x_tweets') }}

),

renamed as (

    select
        id as tweet_id,
        text as tweet_text,
        author_id,
        conversation_id,
        in_reply_to_user_id,
        list_filter(
            from_json(referenced_tweets, '[{"type": "varchar", "id": "varchar"}]'),
            lambda reference: reference.type = 'replied_to'
        )[1].id as replied_to_tweet_id,
        entities -> '$.mentions[0]' ->> 'id' as mentioned_user_id,
        lang,
        {{ utc_timestamp('created_at', source_time_zone('x')) }} as created_at,
        cast(public_metrics ->> 'retweet_count' as bigint) as retweet_count,
        cast(public_metrics ->> 'reply_count' as bigint) as reply_count,
        cast(public_metrics ->> 'like_count' as bigint) as like_count,
        cast(public_metrics ->> 'quote_count' as bigint) as quote_count,
        _batch_id,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'tweet_id') }}

)

select * from deduplicated

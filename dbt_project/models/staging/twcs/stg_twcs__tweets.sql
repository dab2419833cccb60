with

source as (

    select * from {{ source('twcs', 'twcs_tweets') }}

),

renamed as (

    select
        tweet_id,
        author_id,
        text as tweet_text,
        -- The export writes ids that were floats in pandas: '3.0' is tweet 3.
        cast(cast(cast(nullif(in_response_to_tweet_id, '') as double) as bigint) as varchar) as in_response_to_tweet_id,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        lower(inbound) = 'true' as is_inbound,
        {{ utc_timestamp('created_at', source_time_zone('twcs')) }} as created_at,
        string_split(nullif(response_tweet_id, ''), ',') as response_tweet_ids
    from source

),

deduplicated as (

    select * exclude (_source_file_for_dedup)
    from renamed
    qualify row_number() over (partition by tweet_id order by _loaded_at desc, _source_file_for_dedup desc) = 1

)

select * from deduplicated

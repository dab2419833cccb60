with

source as (

    select * from {{ source('x', 'x_users') }}

),

renamed as (

    select
        id as user_id,
        username,
        lower(ltrim(username, '@')) as username_normalized,
        name as display_name,
        verified as is_verified,
        cast(public_metrics ->> 'followers_count' as bigint) as followers_count,
        cast(public_metrics ->> 'following_count' as bigint) as following_count,
        cast(public_metrics ->> 'tweet_count' as bigint) as tweet_count,
        cast(public_metrics ->> 'listed_count' as bigint) as listed_count,
        {{ utc_timestamp('created_at', source_time_zone('x')) }} as created_at,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'user_id') }}

)

select * from deduplicated

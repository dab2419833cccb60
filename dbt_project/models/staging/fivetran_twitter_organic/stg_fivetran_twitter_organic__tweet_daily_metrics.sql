{{ config(enabled=fivetran_enabled('twitter_organic')) }}

-- Daily values (not cumulative), one row per tweet, day and placement. The report's `date` is the start of the
-- account's local day written as a UTC instant (07:00 for Los Angeles): its date part is that local day.
with

source as (

    select * from {{ source('fivetran_twitter_organic', 'organic_tweet_report') }}

),

renamed as (

    select
        cast(organic_tweet_id as varchar) as tweet_id,
        cast(cast(date as timestamp) as date) as metric_date,
        cast(placement as varchar) as placement,
        cast(impressions as bigint) as impressions,
        cast(engagements as bigint) as engagements,
        cast(likes as bigint) as likes,
        cast(replies as bigint) as replies,
        cast(retweets as bigint) as retweets,
        cast(clicks as bigint) as clicks,
        cast(video_total_views as bigint) as video_views,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (
    partition by tweet_id, metric_date, placement order by _fivetran_synced desc
) = 1

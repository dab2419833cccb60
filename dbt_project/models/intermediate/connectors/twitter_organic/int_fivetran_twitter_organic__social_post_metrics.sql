{{ config(enabled=fivetran_enabled('twitter_organic')) }}

-- organic_tweet_report is daily already: placements are disjoint and add up. Twitter has no reach and no saves.
with

daily as (

    select * from {{ ref('stg_fivetran_twitter_organic__tweet_daily_metrics') }}

),

final as (

    select
        'twitter_organic' as source_system,
        'x' as platform,
        tweet_id as post_id,
        metric_date,
        cast(sum(impressions) as bigint) as impressions,
        cast(null as bigint) as reach,
        cast(sum(likes) as bigint) as likes,
        cast(sum(replies) as bigint) as comments,  -- noqa: RF04
        cast(sum(retweets) as bigint) as shares,  -- noqa: RF04
        cast(null as bigint) as saves,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(video_views) as bigint) as video_views,
        cast(sum(engagements) as bigint) as engagements
    from daily
    group by tweet_id, metric_date

)

select * from final

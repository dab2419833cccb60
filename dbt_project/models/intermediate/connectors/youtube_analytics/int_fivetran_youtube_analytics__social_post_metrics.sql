{{ config(enabled=fivetran_enabled('youtube_analytics')) }}

-- channel_basic_a_2 is daily: summed over country, live/on demand and subscribed status. YouTube Analytics reports
-- no impressions, reach, saves or clicks for a video here; engagements are likes + comments + shares.
with

daily as (

    select * from {{ ref('stg_fivetran_youtube_analytics__video_daily_metrics') }}

),

final as (

    select
        'youtube_analytics' as source_system,
        'youtube' as platform,
        video_id as post_id,
        metric_date,
        cast(null as bigint) as impressions,
        cast(null as bigint) as reach,
        cast(sum(likes) as bigint) as likes,
        cast(sum(comments) as bigint) as comments,  -- noqa: RF04
        cast(sum(shares) as bigint) as shares,  -- noqa: RF04
        cast(null as bigint) as saves,
        cast(null as bigint) as clicks,
        cast(sum(views) as bigint) as video_views,
        cast(sum(likes + comments + shares) as bigint) as engagements
    from daily
    group by video_id, metric_date

)

select * from final

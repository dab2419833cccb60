-- The brand's posts by day: each day's additive metrics (daily values, or increments of lifetime snapshots), so a
-- post's days add up to its lifetime totals in fct_social_posts. Engagement rate as there.
with

daily_metrics as (

    select * from {{ ref('int_social__post_daily_metrics') }}

),

final as (

    select
        social_post_key,
        metric_date,
        platform,
        source_system,
        impressions,
        reach,
        likes,
        comments,
        shares,
        saves,
        clicks,
        video_views,
        engagements,
        cast(engagements / nullif(coalesce(impressions, reach, video_views), 0) as double) as engagement_rate
    from daily_metrics

)

select * from final

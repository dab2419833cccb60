-- One row per post the brand published on a social platform (X API extractor and social connectors), with the
-- product's sentiment and topic of its text and its lifetime totals (the sum of its days in
-- mart_social_post_performance). Engagement rate: engagements / impressions; / reach where the platform reports no
-- impressions; / video views for YouTube, which reports neither (DECISIONLOG "Own-post performance").
with

posts as (

    select * from {{ ref('int_social__posts') }}

),

text_signals as (

    select * from {{ ref('int_social__post_text_signals') }}

),

daily_metrics as (

    select * from {{ ref('int_social__post_daily_metrics') }}

),

lifetime as (

    select
        social_post_key,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(reach) as bigint) as reach,
        cast(sum(engagements) as bigint) as engagements,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(video_views) as bigint) as video_views
    from daily_metrics
    group by social_post_key

),

final as (

    select
        posts.social_post_key,
        posts.source_system,
        posts.platform,
        posts.account_id,
        posts.account_name,
        posts.post_id,
        posts.published_at,
        posts.post_text,
        posts.post_type,
        posts.post_url,
        text_signals.sentiment_label,
        cast(text_signals.sentiment_score as double) as sentiment_score,
        text_signals.topic,
        lifetime.impressions,
        lifetime.reach,
        lifetime.engagements,
        lifetime.clicks,
        lifetime.video_views,
        cast(
            lifetime.engagements
            / nullif(coalesce(lifetime.impressions, lifetime.reach, lifetime.video_views), 0) as double
        ) as engagement_rate
    from posts
    left join text_signals on posts.social_post_key = text_signals.social_post_key
    left join lifetime on posts.social_post_key = lifetime.social_post_key

)

select * from final

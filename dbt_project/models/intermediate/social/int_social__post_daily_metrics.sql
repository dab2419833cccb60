-- Metrics of the brand's posts by post and day, from the X extractor and each enabled social connector. Every
-- source's day is additive (daily values, or increments of lifetime snapshots: DECISIONLOG "Own-post performance"),
-- so a post's days add up to its lifetime totals. Only posts in int_social__posts are kept.
with

metrics as (

    select * from {{ ref('int_x__own_post_metrics') }}
    {{ fivetran_union('social_post_metrics') }}

),

posts as (

    select * from {{ ref('int_social__posts') }}

),

final as (

    select
        posts.social_post_key,
        metrics.metric_date,
        posts.platform,
        posts.source_system,
        cast(sum(metrics.impressions) as bigint) as impressions,
        cast(sum(metrics.reach) as bigint) as reach,
        cast(sum(metrics.likes) as bigint) as likes,
        cast(sum(metrics.comments) as bigint) as comments,  -- noqa: RF04
        cast(sum(metrics.shares) as bigint) as shares,  -- noqa: RF04
        cast(sum(metrics.saves) as bigint) as saves,
        cast(sum(metrics.clicks) as bigint) as clicks,
        cast(sum(metrics.video_views) as bigint) as video_views,
        cast(sum(metrics.engagements) as bigint) as engagements
    from metrics
    inner join posts
        on metrics.source_system = posts.source_system and metrics.post_id = posts.post_id
    where metrics.metric_date is not null
    group by posts.social_post_key, metrics.metric_date, posts.platform, posts.source_system

)

select * from final

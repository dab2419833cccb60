-- Platform x month: posts published in the month (fct_social_posts.published_at) and the month's metrics of all the
-- brand's posts (mart_social_post_performance.metric_date), so the sums equal the post x day sums. Engagement rate:
-- the month's engagements over the month's impressions (else reach, else video views: as fct_social_posts).
with

posts as (

    select * from {{ ref('fct_social_posts') }}

),

performance as (

    select * from {{ ref('mart_social_post_performance') }}

),

published as (

    select
        platform,
        cast(date_trunc('month', published_at) as date) as month_start,
        count(*) as posts_published
    from posts
    where published_at is not null
    group by platform, cast(date_trunc('month', published_at) as date)

),

monthly_metrics as (

    select
        platform,
        cast(date_trunc('month', metric_date) as date) as month_start,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(reach) as bigint) as reach,
        cast(sum(likes) as bigint) as likes,
        cast(sum(comments) as bigint) as comments,  -- noqa: RF04
        cast(sum(shares) as bigint) as shares,  -- noqa: RF04
        cast(sum(saves) as bigint) as saves,
        cast(sum(engagements) as bigint) as engagements,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(video_views) as bigint) as video_views,
        sum(coalesce(impressions, reach, video_views)) as rate_base
    from performance
    group by platform, cast(date_trunc('month', metric_date) as date)

),

final as (

    select
        cast(coalesce(published.posts_published, 0) as bigint) as posts_published,
        monthly_metrics.impressions,
        monthly_metrics.reach,
        monthly_metrics.likes,
        monthly_metrics.comments,
        monthly_metrics.shares,
        monthly_metrics.saves,
        monthly_metrics.engagements,
        cast(monthly_metrics.engagements / nullif(monthly_metrics.rate_base, 0) as double) as engagement_rate,
        monthly_metrics.clicks,
        monthly_metrics.video_views,
        coalesce(published.platform, monthly_metrics.platform) as platform,
        coalesce(published.month_start, monthly_metrics.month_start) as month_start
    from published
    full outer join monthly_metrics
        on published.platform = monthly_metrics.platform and published.month_start = monthly_metrics.month_start

)

select * from final

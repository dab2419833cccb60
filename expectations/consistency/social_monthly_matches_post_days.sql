-- Platform months of agg_social_platform_monthly that disagree with the marts they roll up: each metric the sum of
-- mart_social_post_performance's days in the month, posts_published the count of fct_social_posts published in it.
-- GX puts the monthly batch where the query names `batch`. Returns one row per disagreeing (platform, month); none
-- when consistent.
with days as (
    select platform, cast(date_trunc('month', metric_date) as date) as month_start,
        sum(impressions) as impressions, sum(reach) as reach, sum(likes) as likes, sum(comments) as comments,
        sum(shares) as shares, sum(saves) as saves, sum(engagements) as engagements, sum(clicks) as clicks,
        sum(video_views) as video_views
    from marts.mart_social_post_performance
    group by 1, 2
),

published as (
    select platform, cast(date_trunc('month', published_at) as date) as month_start, count(*) as posts_published
    from marts.fct_social_posts
    where published_at is not null
    group by 1, 2
),

recomputed as (
    select
        coalesce(days.platform, published.platform) as platform,
        coalesce(days.month_start, published.month_start) as month_start,
        coalesce(published.posts_published, 0) as posts_published,
        days.impressions, days.reach, days.likes, days.comments, days.shares, days.saves, days.engagements,
        days.clicks, days.video_views
    from days
    full outer join published on days.platform = published.platform and days.month_start = published.month_start
),

monthly as (
    select * from {batch}
)

select
    coalesce(monthly.platform, recomputed.platform) as platform,
    coalesce(monthly.month_start, recomputed.month_start) as month_start,
    monthly.posts_published as monthly_posts_published,
    recomputed.posts_published as fct_posts_published,
    monthly.engagements as monthly_engagements,
    recomputed.engagements as performance_engagements
from monthly
full outer join recomputed
    on monthly.platform = recomputed.platform and monthly.month_start = recomputed.month_start
where monthly.platform is null or recomputed.platform is null
    or monthly.posts_published is distinct from recomputed.posts_published
    or monthly.impressions is distinct from recomputed.impressions
    or monthly.reach is distinct from recomputed.reach
    or monthly.likes is distinct from recomputed.likes
    or monthly.comments is distinct from recomputed.comments
    or monthly.shares is distinct from recomputed.shares
    or monthly.saves is distinct from recomputed.saves
    or monthly.engagements is distinct from recomputed.engagements
    or monthly.clicks is distinct from recomputed.clicks
    or monthly.video_views is distinct from recomputed.video_views

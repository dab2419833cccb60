{{ config(enabled=fivetran_enabled('facebook_pages')) }}

-- Facebook writes each post's lifetime totals as of each day. A day's value here is the increment over the post's
-- previous snapshot (the first snapshot carries everything before it), so the days of a post add up to its latest
-- lifetime total. Engagements: `post_engaged_users` (Facebook's per-post engagement count); likes: all reactions.
-- The connector has no per-post reach, comments, shares or saves in this table.

with

snapshots as (

    select * from {{ ref('stg_fivetran_facebook_pages__post_lifetime_metrics') }}

),

increments as (

    select
        post_id,
        metric_date,
        impressions - coalesce(lag(impressions ignore nulls) over post_days, 0) as impressions,
        reactions - coalesce(lag(reactions ignore nulls) over post_days, 0) as reactions,
        clicks - coalesce(lag(clicks ignore nulls) over post_days, 0) as clicks,
        video_views - coalesce(lag(video_views ignore nulls) over post_days, 0) as video_views,
        engaged_users - coalesce(lag(engaged_users ignore nulls) over post_days, 0) as engaged_users
    from snapshots
    window post_days as (partition by post_id order by metric_date)

),

final as (

    select
        'facebook_pages' as source_system,
        'facebook' as platform,
        post_id,
        metric_date,
        impressions,
        cast(null as bigint) as reach,
        reactions as likes,
        cast(null as bigint) as comments,  -- noqa: RF04
        cast(null as bigint) as shares,  -- noqa: RF04
        cast(null as bigint) as saves,
        clicks,
        video_views,
        engaged_users as engagements
    from increments

)

select * from final

{{ config(enabled=fivetran_enabled('linkedin_pages')) }}

-- LinkedIn share statistics are lifetime totals per post as of each sync. A day's value is the increment over the
-- post's previous snapshot, so the days add up to the latest total. Engagements: clicks + likes + comments + shares
-- (the numerator of LinkedIn's engagement rate). LinkedIn reports no per-post reach, saves or video views here.

with

snapshots as (

    select * from {{ ref('stg_fivetran_linkedin_pages__post_statistics') }}

),

increments as (

    select
        post_urn as post_id,
        metric_date,
        impressions - coalesce(lag(impressions ignore nulls) over post_days, 0) as impressions,
        likes - coalesce(lag(likes ignore nulls) over post_days, 0) as likes,
        comments - coalesce(lag(comments ignore nulls) over post_days, 0) as comments,  -- noqa: RF04
        shares - coalesce(lag(shares ignore nulls) over post_days, 0) as shares,  -- noqa: RF04
        clicks - coalesce(lag(clicks ignore nulls) over post_days, 0) as clicks
    from snapshots
    window post_days as (partition by post_urn order by metric_date)

),

final as (

    select
        'linkedin_pages' as source_system,
        'linkedin' as platform,
        post_id,
        metric_date,
        impressions,
        cast(null as bigint) as reach,
        likes,
        comments,
        shares,
        cast(null as bigint) as saves,
        clicks,
        cast(null as bigint) as video_views,
        clicks + likes + comments + shares as engagements
    from increments

)

select * from final

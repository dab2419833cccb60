{{ config(enabled=fivetran_enabled('facebook_pages')) }}

-- Lifetime-cumulative Page Insights: each row holds the post's totals as of `date` (the Page's local day written as
-- a UTC instant, so its date part is that day). Not additive over days.
with

source as (

    select * from {{ source('fivetran_facebook_pages', 'lifetime_post_metrics_total') }}

),

renamed as (

    select
        cast(post_id as varchar) as post_id,
        cast(cast(date as timestamp) as date) as metric_date,
        cast(post_impressions as bigint) as impressions,
        cast(post_clicks as bigint) as clicks,
        cast(post_engaged_users as bigint) as engaged_users,
        cast(post_video_views as bigint) as video_views,
        cast(_fivetran_synced as timestamp) as _fivetran_synced,
        cast(post_reactions_like_total as bigint)
        + cast(post_reactions_love_total as bigint)
        + cast(post_reactions_wow_total as bigint)
        + cast(post_reactions_haha_total as bigint)
        + cast(post_reactions_sorry_total as bigint)
        + cast(post_reactions_anger_total as bigint) as reactions
    from source

)

select * from renamed
qualify row_number() over (partition by post_id, metric_date order by _fivetran_synced desc) = 1

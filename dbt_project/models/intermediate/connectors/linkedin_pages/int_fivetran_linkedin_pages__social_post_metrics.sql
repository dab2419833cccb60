{{ config(enabled=fivetran_enabled('linkedin_pages')) }}

-- LinkedIn share statistics are lifetime totals per post as of each sync. A day's value is the increment over the
-- post's previous snapshot, so the days add up to the latest total. Engagements: clicks + likes + comments + shares
-- (the numerator of LinkedIn's engagement rate). LinkedIn reports no per-post reach, saves or video views here.
{%- set metrics = ['impressions', 'likes', 'comments', 'shares', 'clicks'] %}

with

snapshots as (

    select * from {{ ref('stg_fivetran_linkedin_pages__post_statistics') }}

),

increments as (

    select
        post_urn as post_id,
        metric_date,
        {%- for metric in metrics %}
        {{ metric }} - coalesce(lag({{ metric }}) over (partition by post_urn order by metric_date), 0) as {{ metric }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from snapshots

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

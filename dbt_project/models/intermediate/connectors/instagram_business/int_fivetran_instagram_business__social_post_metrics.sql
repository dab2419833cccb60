{{ config(enabled=fivetran_enabled('instagram_business')) }}

-- Instagram insights are lifetime totals, read from the columns of the media's kind (stories, carousels, reels,
-- images and videos each have their own). A day's value is the increment over the media's previous snapshot, so the
-- days add up to the latest lifetime total. Impressions fall back to views where Instagram no longer reports them;
-- engagements are Instagram's own per-kind count (likes + comments + saves + shares; replies + shares for a story).
-- Media without a media_history row are read as images/videos.

with

insights as (

    select * from {{ ref('stg_fivetran_instagram_business__media_insights') }}

),

media as (

    select * from {{ ref('stg_fivetran_instagram_business__media') }}

),

kinds as (

    select
        insights.*,
        case
            when media.is_story then 'story'
            when media.media_type = 'CAROUSEL_ALBUM' then 'carousel'
            when media.media_type = 'REELS' then 'reel'
            else 'video_photo'
        end as media_kind,
        coalesce(media.media_type, '') = 'VIDEO' as is_video
    from insights
    left join media on insights.media_id = media.media_id

),

snapshots as (

    select
        media_id as post_id,
        metric_date,
        like_count as likes,
        case media_kind
            when 'story' then coalesce(story_impressions, story_views)
            when 'carousel' then coalesce(carousel_album_impressions, carousel_album_views)
            when 'reel' then reel_views
            else coalesce(video_photo_impressions, video_photo_views)
        end as impressions,
        case media_kind
            when 'story' then story_reach
            when 'carousel' then carousel_album_reach
            when 'reel' then reel_reach
            else video_photo_reach
        end as reach,
        case when media_kind = 'story' then story_replies else comment_count end as comments,  -- noqa: RF04
        case media_kind
            when 'story' then story_shares
            when 'carousel' then carousel_album_shares
            when 'reel' then reel_shares
            else video_photo_shares
        end as shares,  -- noqa: RF04
        case media_kind
            when 'carousel' then carousel_album_saved
            when 'video_photo' then video_photo_saved
        end as saves,
        case
            when media_kind = 'carousel' then carousel_album_video_views
            when media_kind = 'reel' then reel_views
            when is_video then video_views
        end as video_views,
        case media_kind
            when 'story' then story_replies + story_shares
            when 'carousel' then carousel_album_engagement
            when 'reel' then reel_total_interactions
            else video_photo_engagement
        end as engagements
    from kinds

),

increments as (

    select
        post_id,
        metric_date,
        impressions - coalesce(lag(impressions ignore nulls) over post_days, 0) as impressions,
        reach - coalesce(lag(reach ignore nulls) over post_days, 0) as reach,
        likes - coalesce(lag(likes ignore nulls) over post_days, 0) as likes,
        comments - coalesce(lag(comments ignore nulls) over post_days, 0) as comments,  -- noqa: RF04
        shares - coalesce(lag(shares ignore nulls) over post_days, 0) as shares,  -- noqa: RF04
        saves - coalesce(lag(saves ignore nulls) over post_days, 0) as saves,
        video_views - coalesce(lag(video_views ignore nulls) over post_days, 0) as video_views,
        engagements - coalesce(lag(engagements ignore nulls) over post_days, 0) as engagements
    from snapshots
    window post_days as (partition by post_id order by metric_date)

),

final as (

    select
        'instagram_business' as source_system,
        'instagram' as platform,
        post_id,
        metric_date,
        impressions,
        reach,
        likes,
        comments,
        shares,
        saves,
        cast(null as bigint) as clicks,
        video_views,
        engagements
    from increments

)

select * from final

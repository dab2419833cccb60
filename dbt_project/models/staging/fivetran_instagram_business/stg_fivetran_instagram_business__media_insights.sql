{{ config(enabled=fivetran_enabled('instagram_business')) }}

-- Lifetime insights of a media as of each sync; the day of the sync dates the snapshot (latest sync of a day).
-- Each media kind fills its own columns: carousel_album_*, story_*, video_photo_* (images, videos), reel_*.
with

source as (

    select * from {{ source('fivetran_instagram_business', 'media_insights') }}

),

renamed as (

    select
        cast(id as varchar) as media_id,
        cast(cast(_fivetran_synced as timestamp) as date) as metric_date,
        cast(like_count as bigint) as like_count,
        cast(comment_count as bigint) as comment_count,
        cast(carousel_album_impressions as bigint) as carousel_album_impressions,
        cast(carousel_album_views as bigint) as carousel_album_views,
        cast(carousel_album_reach as bigint) as carousel_album_reach,
        cast(carousel_album_engagement as bigint) as carousel_album_engagement,
        cast(carousel_album_saved as bigint) as carousel_album_saved,
        cast(carousel_album_shares as bigint) as carousel_album_shares,
        cast(carousel_album_video_views as bigint) as carousel_album_video_views,
        cast(story_impressions as bigint) as story_impressions,
        cast(story_views as bigint) as story_views,
        cast(story_reach as bigint) as story_reach,
        cast(story_replies as bigint) as story_replies,
        cast(story_shares as bigint) as story_shares,
        cast(video_photo_impressions as bigint) as video_photo_impressions,
        cast(video_photo_views as bigint) as video_photo_views,
        cast(video_photo_reach as bigint) as video_photo_reach,
        cast(video_photo_engagement as bigint) as video_photo_engagement,
        cast(video_photo_saved as bigint) as video_photo_saved,
        cast(video_photo_shares as bigint) as video_photo_shares,
        cast(video_views as bigint) as video_views,
        cast(reel_views as bigint) as reel_views,
        cast(reel_reach as bigint) as reel_reach,
        cast(reel_shares as bigint) as reel_shares,
        cast(reel_total_interactions as bigint) as reel_total_interactions,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by media_id, metric_date order by _fivetran_synced desc) = 1

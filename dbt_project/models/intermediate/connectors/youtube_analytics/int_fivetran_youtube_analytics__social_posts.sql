{{ config(enabled=fivetran_enabled('youtube_analytics')) }}

-- The channel's public and unlisted videos; a private video is not published.
with

videos as (

    select * from {{ ref('stg_fivetran_youtube_analytics__videos') }}

),

final as (

    select
        'youtube_analytics' as source_system,
        'youtube' as platform,
        channel_id as account_id,
        channel_title as account_name,
        video_id as post_id,
        published_at,
        concat_ws(chr(10), video_title, nullif(video_description, video_title)) as post_text,
        case when live_broadcast_content in ('live', 'upcoming') then 'live' else 'video' end as post_type,
        'https://www.youtube.com/watch?v=' || video_id as post_url
    from videos
    where coalesce(privacy_status, 'public') != 'private'

)

select * from final

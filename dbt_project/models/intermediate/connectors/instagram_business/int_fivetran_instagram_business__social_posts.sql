{{ config(enabled=fivetran_enabled('instagram_business')) }}

with

media as (

    select * from {{ ref('stg_fivetran_instagram_business__media') }}

),

users as (

    select * from {{ ref('stg_fivetran_instagram_business__users') }}

),

final as (

    select
        'instagram_business' as source_system,
        'instagram' as platform,
        media.user_id as account_id,
        media.media_id as post_id,
        media.created_at as published_at,
        media.caption as post_text,
        media.permalink as post_url,
        coalesce(users.username, media.username) as account_name,
        case
            when media.is_story then 'story'
            when media.media_type = 'CAROUSEL_ALBUM' then 'carousel'
            when media.media_type = 'REELS' then 'reel'
            when media.media_type = 'VIDEO' then 'video'
            else 'photo'
        end as post_type
    from media
    left join users on media.user_id = users.user_id
    -- A carousel's children are synced as media of their own: the album is the post.
    where media.carousel_album_id is null or media.carousel_album_id = media.media_id

)

select * from final

{{ config(enabled=fivetran_enabled('facebook_pages')) }}

with

posts as (

    select * from {{ ref('stg_fivetran_facebook_pages__posts') }}

),

pages as (

    select * from {{ ref('stg_fivetran_facebook_pages__pages') }}

),

final as (

    select
        'facebook_pages' as source_system,
        'facebook' as platform,
        posts.page_id as account_id,
        pages.page_name as account_name,
        posts.post_id,
        posts.created_at as published_at,
        posts.post_message as post_text,
        case posts.status_type
            when 'added_photos' then 'photo'
            when 'added_video' then 'video'
            when 'shared_story' then 'share'
            when 'created_note' then 'article'
            when 'wall_post' then 'status'
            when 'mobile_status_update' then 'status'
            else coalesce(posts.status_type, 'status')
        end as post_type,
        'https://www.facebook.com/' || posts.post_id as post_url
    from posts
    left join pages on posts.page_id = pages.page_id
    where coalesce(posts.is_published, true)

)

select * from final

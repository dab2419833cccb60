{{ config(enabled=fivetran_enabled('linkedin_pages')) }}

-- Published organization posts. An item with a response context is the organization's comment on a post: not a post.
with

posts as (

    select * from {{ ref('stg_fivetran_linkedin_pages__posts') }}

),

organizations as (

    select * from {{ ref('stg_fivetran_linkedin_pages__organizations') }}

),

final as (

    select
        'linkedin_pages' as source_system,
        'linkedin' as platform,
        posts.organization_id as account_id,
        organizations.organization_name as account_name,
        posts.post_urn as post_id,
        posts.published_at,
        posts.commentary as post_text,
        case posts.content_type
            when 'media' then 'photo'
            when 'multi_image' then 'carousel'
            when 'carousel' then 'carousel'
            when 'article' then 'article'
            when 'poll' then 'poll'
            when 'video' then 'video'
            when 'document' then 'document'
            else 'share'
        end as post_type,
        'https://www.linkedin.com/feed/update/' || posts.post_urn as post_url
    from posts
    left join organizations on posts.organization_id = organizations.organization_id
    where
        coalesce(posts.lifecycle_state, 'PUBLISHED') = 'PUBLISHED'
        and posts.response_context_parent is null

)

select * from final

{{ config(enabled=fivetran_enabled('linkedin_pages')) }}

-- Organization posts from both LinkedIn APIs the connector syncs: UGC posts (id is an urn) and the older shares (a
-- bare number, written here as urn:li:share:<id>, the urn the statistics use). The latest version of each; a share
-- also present as a UGC post is kept once, from ugc_post_history.
with

ugc_post_history as (

    select * from {{ source('fivetran_linkedin_pages', 'ugc_post_history') }}

),

share_history as (

    select * from {{ source('fivetran_linkedin_pages', 'share_history') }}

),

post_content as (

    select * from {{ source('fivetran_linkedin_pages', 'post_content') }}

),

share_content as (

    select * from {{ source('fivetran_linkedin_pages', 'share_content') }}

),

versions as (

    select
        cast(ugc_post_history.id as varchar) as post_urn,
        ugc_post_history.author,
        ugc_post_history.commentary,
        ugc_post_history.lifecycle_state,
        ugc_post_history.response_context_parent,
        ugc_post_history.first_published_at,
        ugc_post_history.created_time,
        ugc_post_history.last_modified_time,
        ugc_post_history._fivetran_synced,
        post_content.type as content_type,
        1 as api_rank
    from ugc_post_history
    left join post_content on cast(ugc_post_history.id as varchar) = cast(post_content.post_id as varchar)
    union all
    select
        'urn:li:share:' || cast(share_history.id as varchar) as post_urn,
        share_history.author,
        share_history.commentary,
        share_history.lifecycle_state,
        share_history.response_context_parent,
        share_history.first_published_at,
        share_history.created_time,
        share_history.last_modified_time,
        share_history._fivetran_synced,
        share_content.type as content_type,
        2 as api_rank
    from share_history
    left join share_content on cast(share_history.id as varchar) = cast(share_content.share_id as varchar)

),

renamed as (

    select
        post_urn,
        replace(cast(author as varchar), 'urn:li:organization:', '') as organization_id,
        cast(commentary as varchar) as commentary,
        upper(cast(lifecycle_state as varchar)) as lifecycle_state,
        cast(response_context_parent as varchar) as response_context_parent,
        lower(cast(content_type as varchar)) as content_type,
        coalesce(
            {{ utc_timestamp('cast(first_published_at as varchar)') }},
            {{ utc_timestamp('cast(created_time as varchar)') }}
        ) as published_at,
        {{ utc_timestamp('cast(last_modified_time as varchar)') }} as last_modified_at,
        cast(_fivetran_synced as timestamp) as _fivetran_synced,
        api_rank
    from versions

)

select
    post_urn,
    organization_id,
    commentary,
    lifecycle_state,
    response_context_parent,
    content_type,
    published_at,
    last_modified_at,
    _fivetran_synced
from renamed
qualify row_number() over (
    partition by post_urn order by api_rank asc, last_modified_at desc, _fivetran_synced desc
) = 1

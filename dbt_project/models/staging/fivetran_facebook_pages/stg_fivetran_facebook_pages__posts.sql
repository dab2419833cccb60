{{ config(enabled=fivetran_enabled('facebook_pages')) }}

-- post_history keeps one row per version of a post: the latest (updated_time, then sync) is the post.
with

source as (

    select * from {{ source('fivetran_facebook_pages', 'post_history') }}

),

renamed as (

    select
        cast(id as varchar) as post_id,
        cast(page_id as varchar) as page_id,
        cast(message as varchar) as post_message,
        cast(status_type as varchar) as status_type,
        cast(parent_id as varchar) as parent_post_id,
        cast(is_published as boolean) as is_published,
        cast(is_hidden as boolean) as is_hidden,
        {{ utc_timestamp('cast(created_time as varchar)') }} as created_at,
        {{ utc_timestamp('cast(updated_time as varchar)') }} as updated_at,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by post_id order by updated_at desc, _fivetran_synced desc) = 1

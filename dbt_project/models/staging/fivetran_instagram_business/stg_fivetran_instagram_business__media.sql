{{ config(enabled=fivetran_enabled('instagram_business')) }}

-- media_history keeps one row per sync of a media: the latest is the post.
with

source as (

    select * from {{ source('fivetran_instagram_business', 'media_history') }}

),

renamed as (

    select
        cast(id as varchar) as media_id,
        cast(user_id as varchar) as user_id,
        cast(username as varchar) as username,
        cast(caption as varchar) as caption,
        upper(cast(media_type as varchar)) as media_type,
        cast(is_story as boolean) as is_story,
        cast(carousel_album_id as varchar) as carousel_album_id,
        cast(permalink as varchar) as permalink,
        {{ utc_timestamp('cast(created_time as varchar)') }} as created_at,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by media_id order by _fivetran_synced desc) = 1

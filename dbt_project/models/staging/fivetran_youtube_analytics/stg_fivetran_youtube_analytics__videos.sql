{{ config(enabled=fivetran_enabled('youtube_analytics')) }}

with

source as (

    select * from {{ source('fivetran_youtube_analytics', 'video') }}

),

renamed as (

    select
        cast(id as varchar) as video_id,
        cast(snippet_channel_id as varchar) as channel_id,
        cast(snippet_channel_title as varchar) as channel_title,
        cast(snippet_title as varchar) as video_title,
        cast(snippet_description as varchar) as video_description,
        lower(cast(privacy_status as varchar)) as privacy_status,
        lower(cast(snippet_live_broadcast_content as varchar)) as live_broadcast_content,
        {{ utc_timestamp('cast(snippet_published_at as varchar)') }} as published_at,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by video_id order by _fivetran_synced desc) = 1

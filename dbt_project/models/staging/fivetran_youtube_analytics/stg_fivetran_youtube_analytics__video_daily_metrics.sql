{{ config(enabled=fivetran_enabled('youtube_analytics')) }}

-- channel_basic_a_2: daily values per video, country, live/on demand and subscribed status (they add up over those
-- and over days). Rows without a video are channel-level: not a post's.
with

source as (

    select * from {{ source('fivetran_youtube_analytics', 'channel_basic_a_2') }}

),

renamed as (

    select
        cast(video_id as varchar) as video_id,
        cast(channel_id as varchar) as channel_id,
        cast(date as date) as metric_date,
        cast(country_code as varchar) as country_code,
        cast(live_or_on_demand as varchar) as live_or_on_demand,
        cast(subscribed_status as varchar) as subscribed_status,
        cast(views as bigint) as views,  -- noqa: RF04
        cast(likes as bigint) as likes,
        cast(comments as bigint) as comments,  -- noqa: RF04
        cast(shares as bigint) as shares  -- noqa: RF04
    from source

)

select * from renamed
where nullif(trim(video_id), '') is not null

{{ config(enabled=fivetran_enabled('linkedin_pages')) }}

-- Lifetime statistics of a share or UGC post as of each sync (the day of the sync dates the snapshot; the day's latest
-- sync). `engagement` is LinkedIn's rate, (clicks + likes + comments + shares) / impressions, not a count.
with

source as (

    select * from {{ source('fivetran_linkedin_pages', 'share_statistic') }}

),

renamed as (

    select
        cast(_share_entity_urn as varchar) as post_urn,
        cast(cast(_fivetran_synced as timestamp) as date) as metric_date,
        cast(impression_count as bigint) as impressions,
        cast(click_count as bigint) as clicks,
        cast(like_count as bigint) as likes,
        cast(comment_count as bigint) as comments,  -- noqa: RF04
        cast(share_count as bigint) as shares,  -- noqa: RF04
        cast(engagement as double) as engagement_rate,
        cast(_fivetran_synced as timestamp) as _fivetran_synced,
        replace(cast(_organization_entity_urn as varchar), 'urn:li:organization:', '') as organization_id
    from source
    where _share_entity_urn is not null

)

select * from renamed
qualify row_number() over (partition by post_urn, metric_date order by _fivetran_synced desc) = 1

with

source as (

    select * from {{ source('segment', 'segment_events') }}

),

renamed as (

    select
        "messageId" as message_id,
        type as event_type,
        coalesce(event, name) as event_name,
        {{ blank_as_null('"userId"') }} as contact_id,
        "anonymousId" as anonymous_id,
        {{ utc_timestamp('timestamp', source_time_zone('segment')) }} as occurred_at,
        {{ utc_timestamp('"receivedAt"', source_time_zone('segment')) }} as received_at,
        {{ utc_timestamp('"sentAt"', source_time_zone('segment')) }} as sent_at,
        lower(trim(context ->> '$.traits.email')) as email,
        context ->> '$.page.url' as page_url,
        context ->> '$.page.path' as page_path,
        nullif(trim(context ->> '$.page.referrer'), '') as page_referrer,
        context ->> '$.campaign.source' as campaign_source,
        context ->> '$.campaign.medium' as campaign_medium,
        context ->> '$.campaign.name' as campaign_name,
        properties,
        traits,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'message_id') }}

)

select * from deduplicated

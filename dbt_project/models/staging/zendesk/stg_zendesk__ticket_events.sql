with

source as (

    select * from {{ source('zendesk', 'zendesk_ticket_events') }}

),

renamed as (

    select
        id as ticket_event_id,
        ticket_id,
        updater_id,
        coalesce(
            {{ utc_timestamp('created_at', source_time_zone('zendesk')) }}, {{ utc_from_unix_seconds('"timestamp"') }}
        ) as created_at,
        event_type,
        via ->> 'channel' as via_channel,
        child_events,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'ticket_event_id') }}

)

select * from deduplicated

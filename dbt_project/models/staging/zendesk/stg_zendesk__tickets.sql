with

source as (

    select * from {{ source('zendesk', 'zendesk_tickets') }}

),

renamed as (

    select
        id as ticket_id,
        {{ utc_timestamp('created_at', source_time_zone('zendesk')) }} as created_at,
        {{ utc_timestamp('updated_at', source_time_zone('zendesk')) }} as updated_at,
        type as ticket_type,
        subject,
        description,
        priority,
        status,
        coalesce(status = 'deleted', false) as is_deleted,
        requester_id,
        submitter_id,
        assignee_id,
        group_id,
        organization_id,
        tags,
        via ->> 'channel' as via_channel,
        _batch_id,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'ticket_id', 'updated_at') }}

)

select * from deduplicated

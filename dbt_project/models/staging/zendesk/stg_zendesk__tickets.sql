with

source as (

    select * from {{ source('zendesk', 'zendesk_tickets') }}

),

renamed as (

    select
        id as ticket_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
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

    select * exclude (_source_file_for_dedup, _loaded_at_for_dedup)
    from renamed
    qualify row_number() over (partition by ticket_id order by updated_at desc, _loaded_at_for_dedup desc) = 1

)

select * from deduplicated

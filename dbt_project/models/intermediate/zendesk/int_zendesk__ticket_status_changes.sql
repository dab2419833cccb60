with

ticket_events as (

    select * from {{ ref('stg_zendesk__ticket_events') }}

),

child_events as (

    select
        ticket_events.ticket_id,
        ticket_events.created_at,
        unnest(from_json(ticket_events.child_events, '["json"]')) as child_event
    from ticket_events

),

final as (

    select
        cast(child_event ->> 'id' as bigint) as status_change_id,
        ticket_id,
        created_at as changed_at,
        child_event ->> 'previous_value' as previous_status,
        child_event ->> 'value' as status
    from child_events
    where
        child_event ->> 'event_type' = 'Change'
        and child_event ->> 'field_name' = 'status'

)

select * from final

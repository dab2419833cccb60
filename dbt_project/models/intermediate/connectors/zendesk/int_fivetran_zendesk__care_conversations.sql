{{ config(enabled=fivetran_enabled('zendesk')) }}

-- One care conversation per ticket, measured as the Zendesk API path does (int_care__zendesk_ticket_conversations).
with

tickets as (

    select * from {{ ref('stg_fivetran_zendesk__tickets') }}

),

groups as (

    select * from {{ ref('stg_fivetran_zendesk__groups') }}

),

interactions as (

    select * from {{ ref('int_fivetran_zendesk__interactions') }}

),

status_changes as (

    select * from {{ ref('stg_fivetran_zendesk__ticket_status_changes') }}

),

comment_activity as (

    select
        interactions.conversation_key,
        min(interactions.occurred_at) filter (
            where interactions.direction = 'outbound' and interactions.occurred_at >= tickets.created_at
        ) as first_response_at,
        count(*) filter (where interactions.direction = 'inbound') as inbound_messages,
        count(*) filter (where interactions.direction = 'outbound') as outbound_messages,
        max(interactions.occurred_at) as last_comment_at
    from interactions
    inner join tickets on interactions.conversation_key = 'zendesk:' || tickets.ticket_id
    group by interactions.conversation_key

),

solved as (

    select
        ticket_id,
        max(changed_at) as last_solved_at
    from status_changes
    where status = 'solved'
    group by ticket_id

),

final as (

    select
        tickets.channel,
        tickets.priority,
        tickets.requester_id,
        tickets.created_at as opened_at,
        comment_activity.first_response_at,
        'zendesk' as source_system,
        'zendesk:' || tickets.ticket_id as conversation_id,
        coalesce(groups.team_name, 'Unassigned') as team,
        -- A ticket reopened after being solved is unresolved again, so only solved/closed tickets count.
        case when tickets.status in ('solved', 'closed') then solved.last_solved_at end as resolved_at,
        greatest(tickets.updated_at, comment_activity.last_comment_at) as last_activity_at,
        coalesce(comment_activity.inbound_messages, 0) as inbound_messages,
        coalesce(comment_activity.outbound_messages, 0) as outbound_messages
    from tickets
    left join groups on tickets.group_id = groups.group_id
    left join comment_activity on 'zendesk:' || tickets.ticket_id = comment_activity.conversation_key
    left join solved on tickets.ticket_id = solved.ticket_id
    where not tickets.is_deleted

)

select * from final

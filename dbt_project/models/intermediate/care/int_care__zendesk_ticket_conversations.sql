with

tickets as (

    select * from {{ ref('stg_zendesk__tickets') }}

),

groups as (

    select * from {{ ref('stg_zendesk__groups') }}

),

comments as (

    select * from {{ ref('int_zendesk__ticket_comments') }}

),

status_changes as (

    select * from {{ ref('int_zendesk__ticket_status_changes') }}

),

comment_activity as (

    select
        comments.ticket_id,
        min(comments.commented_at) filter (
            where comments.is_public and comments.author_role = 'agent' and comments.commented_at >= tickets.created_at
        ) as first_response_at,
        count(*) filter (where comments.is_public and comments.author_role != 'agent') as inbound_messages,
        count(*) filter (where comments.is_public and comments.author_role = 'agent') as outbound_messages,
        max(comments.commented_at) as last_comment_at
    from comments
    inner join tickets on comments.ticket_id = tickets.ticket_id
    group by comments.ticket_id

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
        'zendesk' as source_system,
        cast(tickets.requester_id as varchar) as requester_id,
        tickets.created_at as opened_at,
        comment_activity.first_response_at,
        'zendesk:' || tickets.ticket_id as conversation_id,
        coalesce(tickets.via_channel, 'web') as channel,
        coalesce(groups.team_name, 'Unassigned') as team,
        coalesce(tickets.priority, 'normal') as priority,
        -- A ticket reopened after being solved is unresolved again, so only solved/closed tickets count.
        case when tickets.status in ('solved', 'closed') then solved.last_solved_at end as resolved_at,
        greatest(tickets.updated_at, comment_activity.last_comment_at) as last_activity_at,
        coalesce(comment_activity.inbound_messages, 0) as inbound_messages,
        coalesce(comment_activity.outbound_messages, 0) as outbound_messages
    from tickets
    left join groups on tickets.group_id = groups.group_id
    left join comment_activity on tickets.ticket_id = comment_activity.ticket_id
    left join solved on tickets.ticket_id = solved.ticket_id
    where not tickets.is_deleted

)

select * from final

{{ config(enabled=fivetran_enabled('intercom')) }}

-- One care conversation (channel chat) per Intercom conversation. First response: the first reply by an admin at or
-- after the conversation opened; bot replies are messages but not a response, as in Fivetran's dbt_intercom
-- (first_admin_response_at). Resolved: a closed conversation's last close part, or, when the close part is not
-- synced, the version of conversation_history where it last became closed.
with

conversations as (

    select * from {{ ref('stg_fivetran_intercom__conversations') }}

),

versions as (

    select * from {{ ref('stg_fivetran_intercom__conversation_versions') }}

),

parts as (

    select * from {{ ref('stg_fivetran_intercom__conversation_parts') }}

),

interactions as (

    select * from {{ ref('int_fivetran_intercom__interactions') }}

),

teams as (

    select * from {{ ref('stg_fivetran_intercom__teams') }}

),

team_admins as (

    select * from {{ ref('stg_fivetran_intercom__team_admins') }}

),

-- Admins in exactly one team: that team answers for a conversation assigned to the admin and no team.
single_team_admins as (

    select
        admin_id,
        min(team_id) as team_id
    from team_admins
    group by admin_id
    having count(*) = 1

),

reply_parts as (

    select
        parts.conversation_id,
        min(parts.created_at) filter (
            where
            parts.author_type = 'admin'
            and parts.part_type != 'close'
            and parts.created_at >= conversations.created_at
        ) as first_response_at,
        max(parts.created_at) filter (where parts.part_type = 'close') as last_close_at,
        max(parts.created_at) as last_part_at
    from parts
    inner join conversations on parts.conversation_id = conversations.conversation_id
    where
        parts.part_type = 'close'
        or parts.part_type = 'comment'
        or (parts.part_type like '%assignment%' and nullif(trim(parts.body), '') is not null)
    group by parts.conversation_id

),

message_counts as (

    select
        conversation_key,
        count(*) filter (where direction = 'inbound') as inbound_messages,
        count(*) filter (where direction = 'outbound') as outbound_messages,
        max(occurred_at) as last_message_at
    from interactions
    group by conversation_key

),

last_open_versions as (

    select
        conversation_id,
        max(updated_at) as last_open_at
    from versions
    where state != 'closed'
    group by conversation_id

),

closed_since as (

    select
        versions.conversation_id,
        min(versions.updated_at) as closed_at
    from versions
    left join last_open_versions on versions.conversation_id = last_open_versions.conversation_id
    where
        versions.state = 'closed'
        and (last_open_versions.last_open_at is null or versions.updated_at > last_open_versions.last_open_at)
    group by versions.conversation_id

),

final as (

    select
        conversations.priority,
        conversations.created_at as opened_at,
        reply_parts.first_response_at,
        'intercom' as source_system,
        'chat' as channel,
        'intercom:' || conversations.conversation_id as conversation_id,
        coalesce(teams.team_name, single_team.team_name, 'Unassigned') as team,
        case
            when conversations.source_author_type in ('user', 'lead', 'contact') then conversations.source_author_id
        end as requester_id,
        case
            when conversations.state = 'closed' then coalesce(reply_parts.last_close_at, closed_since.closed_at)
        end as resolved_at,
        greatest(conversations.updated_at, reply_parts.last_part_at, message_counts.last_message_at)
            as last_activity_at,
        coalesce(message_counts.inbound_messages, 0) as inbound_messages,
        coalesce(message_counts.outbound_messages, 0) as outbound_messages
    from conversations
    left join teams on conversations.team_assignee_id = teams.team_id
    left join single_team_admins
        on conversations.assignee_type = 'admin' and conversations.assignee_id = single_team_admins.admin_id
    left join teams as single_team on single_team_admins.team_id = single_team.team_id
    left join reply_parts on conversations.conversation_id = reply_parts.conversation_id
    left join message_counts on 'intercom:' || conversations.conversation_id = message_counts.conversation_key
    left join closed_since on conversations.conversation_id = closed_since.conversation_id

)

select * from final

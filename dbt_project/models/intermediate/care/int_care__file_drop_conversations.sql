-- Care conversations from generic file drops mapped onto interactions: the messages of a drop whose channel has an
-- SLA target (seed sla_targets: x_mention, x_dm, email, web, chat, voice) grouped by conversation_key (each message
-- its own conversation when the drop maps none). A conversation opens with its first inbound message; outbound
-- messages answer it. An inbound-only export yields unanswered conversations, so care metrics read "0% answered".
with

interactions as (

    select * from {{ ref('stg_file_drops__interactions') }}

),

sla_channels as (

    select distinct channel from {{ ref('sla_targets') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

messages as (

    select
        interactions.source_system,
        interactions.channel,
        interactions.actor_id,
        interactions.occurred_at,
        interactions.body,
        lower(interactions.direction) = 'outbound' as is_outbound,
        coalesce(interactions.conversation_key, interactions.interaction_id) as conversation_key
    from interactions
    inner join sla_channels on interactions.channel = sla_channels.channel
    where interactions.occurred_at is not null

),

openings as (

    select
        source_system,
        conversation_key,
        arg_min(channel, occurred_at) as channel,
        arg_min(actor_id, occurred_at) as requester_id,
        arg_min({{ addressed_handle('body') }}, occurred_at) as addressed_handle,
        min(occurred_at) as opened_at
    from messages
    where not is_outbound
    group by source_system, conversation_key

),

activity as (

    select
        messages.source_system,
        messages.conversation_key,
        min(messages.occurred_at) filter (
            where messages.is_outbound and messages.occurred_at >= openings.opened_at
        ) as first_response_at,
        arg_min(messages.actor_id, messages.occurred_at) filter (where messages.is_outbound) as responder_id,
        max(messages.occurred_at) filter (where messages.is_outbound) as last_brand_message_at,
        max(messages.occurred_at) filter (where not messages.is_outbound) as last_customer_message_at,
        count(*) filter (where not messages.is_outbound) as inbound_messages,
        count(*) filter (where messages.is_outbound) as outbound_messages,
        max(messages.occurred_at) as last_activity_at
    from messages
    inner join openings
        on messages.source_system = openings.source_system and messages.conversation_key = openings.conversation_key
    group by messages.source_system, messages.conversation_key

),

final as (

    select
        openings.source_system,
        openings.channel,
        openings.requester_id,
        openings.opened_at,
        activity.first_response_at,
        activity.last_activity_at,
        activity.inbound_messages,
        activity.outbound_messages,
        'normal' as priority,
        openings.source_system || ':' || openings.conversation_key as conversation_id,
        -- The team: the brand account addressed (seed brand_accounts), else the handle that answered, else the one
        -- the customer addressed.
        coalesce(brand_accounts.team, activity.responder_id, openings.addressed_handle, 'Unassigned') as team,
        case
            when activity.last_brand_message_at >= activity.last_customer_message_at
                then activity.last_brand_message_at
        end as resolved_at
    from openings
    inner join activity
        on openings.source_system = activity.source_system and openings.conversation_key = activity.conversation_key
    left join brand_accounts on lower(openings.addressed_handle) = lower(brand_accounts.username)

)

select * from final

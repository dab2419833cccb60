-- The waits of each care conversation, one row per wait: the first response (opening to first brand answer), each
-- next response (a customer message after the brand had answered, to the brand's next answer) and the resolution.
-- Waits still running end at the as-of time and are flagged open.
with

conversations as (

    select * from {{ ref('int_care__conversation_sla') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

as_of as (

    {{ care_as_of('conversations', 'last_activity_at') }}

),

-- Thread messages under the care conversation's id (X mention threads are keyed `x:` in fct_interactions).
messages as (

    select
        interactions.direction,
        interactions.occurred_at,
        interactions.interaction_key,
        case
            when interactions.conversation_key like 'x:%'
                then 'x_mention:' || substr(interactions.conversation_key, 3)
            else interactions.conversation_key
        end as conversation_id
    from interactions
    where interactions.source_system in ('x', 'zendesk') and interactions.conversation_key is not null

),

ordered as (

    select
        messages.*,
        lag(messages.direction) over thread as previous_direction,
        min(case when messages.direction = 'outbound' then messages.occurred_at end) over (
            partition by messages.conversation_id
            order by messages.occurred_at, messages.interaction_key
            rows between 1 following and unbounded following
        ) as next_outbound_at
    from messages
    window thread as (partition by messages.conversation_id order by messages.occurred_at, messages.interaction_key)

),

next_responses as (

    select
        ordered.conversation_id,
        'next_response' as interval_kind,
        ordered.occurred_at as started_at,
        ordered.next_outbound_at as answered_at
    from ordered
    inner join conversations on ordered.conversation_id = conversations.conversation_id
    where
        ordered.direction = 'inbound'
        and ordered.previous_direction = 'outbound'
        and ordered.occurred_at > conversations.first_response_at

),

firsts_and_resolutions as (

    select
        conversation_id,
        'first_response' as interval_kind,
        opened_at as started_at,
        first_response_at as answered_at
    from conversations
    union all
    select
        conversation_id,
        'resolution' as interval_kind,
        opened_at as started_at,
        resolved_at as answered_at
    from conversations

),

unioned as (

    select * from firsts_and_resolutions
    union all
    select * from next_responses

),

final as (

    select
        unioned.conversation_id,
        unioned.interval_kind,
        unioned.started_at,
        unioned.answered_at,
        coalesce(unioned.answered_at, as_of.as_of_at) as ended_at,
        unioned.answered_at is null as is_open
    from unioned
    cross join as_of

)

select * from final

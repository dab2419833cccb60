-- The customer's opening message of each care conversation, with its sentiment and topic, and the account behind it.
with

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

actor_contacts as (

    select * from {{ ref('int_identity__actor_contacts') }}

),

-- X mention threads and twcs threads are named after their opening tweet; DM threads and tickets after the thread.
first_inbound_by_thread as (

    select
        conversation_key,
        min(occurred_at) as first_inbound_at
    from interactions
    where direction = 'inbound' and conversation_key is not null
    group by conversation_key

),

thread_openings as (

    select
        interactions.conversation_key,
        min(interactions.interaction_key) as interaction_key
    from interactions
    inner join first_inbound_by_thread
        on
            interactions.conversation_key = first_inbound_by_thread.conversation_key
            and interactions.occurred_at = first_inbound_by_thread.first_inbound_at
    where interactions.direction = 'inbound'
    group by interactions.conversation_key

),

opening_keys as (

    select
        conversations.conversation_id,
        conversations.source_system,
        conversations.requester_id,
        case
            when conversations.channel = 'x_mention' and conversations.source_system = 'x'
                then replace(conversations.conversation_id, 'x_mention:', 'x:')
            when conversations.source_system = 'twcs' then conversations.conversation_id
            else thread_openings.interaction_key
        end as opening_interaction_key
    from conversations
    left join thread_openings on conversations.conversation_id = thread_openings.conversation_key

),

final as (

    select
        opening_keys.conversation_id,
        opening_keys.opening_interaction_key,
        interactions.sentiment_score,
        interactions.sentiment_label,
        interactions.topic,
        interactions.owning_team,
        actor_contacts.contact_key,
        actor_contacts.account_key
    from opening_keys
    left join interactions on opening_keys.opening_interaction_key = interactions.interaction_key
    left join actor_contacts
        on
            opening_keys.source_system = actor_contacts.source_system
            and opening_keys.requester_id = actor_contacts.actor_id

)

select * from final

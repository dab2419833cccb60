-- One conversation per DM thread between a customer and one brand account.
with

dm_events as (

    select * from {{ ref('stg_x__dm_events') }}

),

users as (

    select * from {{ ref('stg_x__users') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

messages as (

    select
        dm_events.dm_conversation_id,
        dm_events.sender_id,
        dm_events.created_at,
        brand_accounts.x_user_id is not null as is_from_brand
    from dm_events
    left join brand_accounts on dm_events.sender_id = brand_accounts.x_user_id

),

threads as (

    select
        dm_conversation_id,
        min(created_at) filter (where not is_from_brand) as opened_at,
        max(created_at) filter (where is_from_brand) as last_brand_message_at,
        max(created_at) filter (where not is_from_brand) as last_customer_message_at,
        count(*) filter (where not is_from_brand) as inbound_messages,
        count(*) filter (where is_from_brand) as outbound_messages,
        max(created_at) as last_activity_at,
        any_value(sender_id) filter (where not is_from_brand) as requester_id
    from messages
    group by dm_conversation_id

),

first_responses as (

    select
        threads.dm_conversation_id,
        min(messages.created_at) as first_response_at
    from threads
    inner join messages on threads.dm_conversation_id = messages.dm_conversation_id
    where messages.is_from_brand and messages.created_at >= threads.opened_at
    group by threads.dm_conversation_id

),

final as (

    select
        'x_dm:' || threads.dm_conversation_id as conversation_id,
        'x' as source_system,
        'x_dm' as channel,
        coalesce(brand_accounts.team, 'Unassigned') as team,
        case
            when users.followers_count >= {{ var('influencer_min_followers') }} then 'high' else 'normal'
        end as priority,
        threads.requester_id,
        threads.opened_at,
        first_responses.first_response_at,
        case
            when threads.last_brand_message_at >= threads.last_customer_message_at
                then threads.last_brand_message_at
        end as resolved_at,
        threads.last_activity_at,
        threads.inbound_messages,
        threads.outbound_messages
    from threads
    left join first_responses on threads.dm_conversation_id = first_responses.dm_conversation_id
    left join brand_accounts
        on brand_accounts.x_user_id in (
            split_part(threads.dm_conversation_id, '-', 1), split_part(threads.dm_conversation_id, '-', 2)
        )
    left join users on threads.requester_id = users.user_id
    -- Threads the brand opened and the customer never answered are outreach, not care conversations.
    where threads.opened_at is not null

)

select * from final

-- A conversation is a customer tweet that starts a thread (its id is its conversation id) plus every tweet in it.
with

tweets as (

    select * from {{ ref('stg_x__tweets') }}

),

users as (

    select * from {{ ref('stg_x__users') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

messages as (

    select
        tweets.conversation_id,
        tweets.tweet_id,
        tweets.author_id,
        tweets.created_at,
        tweets.mentioned_user_id,
        tweets.in_reply_to_user_id,
        brand_accounts.x_user_id is not null as is_from_brand
    from tweets
    left join brand_accounts on tweets.author_id = brand_accounts.x_user_id

),

opening_mentions as (

    select
        conversation_id,
        author_id as requester_id,
        created_at as opened_at,
        coalesce(mentioned_user_id, in_reply_to_user_id) as addressed_user_id
    from messages
    where tweet_id = conversation_id and not is_from_brand

),

activity as (

    select
        opening_mentions.conversation_id,
        min(messages.created_at) filter (
            where messages.is_from_brand and messages.created_at >= opening_mentions.opened_at
        ) as first_response_at,
        max(messages.created_at) filter (where messages.is_from_brand) as last_brand_message_at,
        max(messages.created_at) filter (where not messages.is_from_brand) as last_customer_message_at,
        count(*) filter (where not messages.is_from_brand) as inbound_messages,
        count(*) filter (where messages.is_from_brand) as outbound_messages,
        max(messages.created_at) as last_activity_at
    from opening_mentions
    inner join messages on opening_mentions.conversation_id = messages.conversation_id
    group by opening_mentions.conversation_id

),

final as (

    select
        'x_mention:' || opening_mentions.conversation_id as conversation_id,
        'x' as source_system,
        'x_mention' as channel,
        coalesce(brand_accounts.team, 'Unassigned') as team,
        case
            when users.followers_count >= {{ var('influencer_min_followers') }} then 'high' else 'normal'
        end as priority,
        opening_mentions.requester_id,
        opening_mentions.opened_at,
        activity.first_response_at,
        case
            when activity.last_brand_message_at >= activity.last_customer_message_at
                then activity.last_brand_message_at
        end as resolved_at,
        activity.last_activity_at,
        activity.inbound_messages,
        activity.outbound_messages
    from opening_mentions
    inner join activity on opening_mentions.conversation_id = activity.conversation_id
    left join brand_accounts on opening_mentions.addressed_user_id = brand_accounts.x_user_id
    left join users on opening_mentions.requester_id = users.user_id

)

select * from final

-- A conversation is a customer tweet that answers nothing (a thread's first tweet) and every reply under it.
with recursive

tweets as (

    select * from {{ ref('stg_twcs__tweets') }}

),

opening_tweets as (

    select
        tweet_id as root_tweet_id,
        author_id as requester_id,
        created_at as opened_at
    from tweets
    where is_inbound and in_response_to_tweet_id is null

),

thread as (

    select
        root_tweet_id,
        root_tweet_id as tweet_id
    from opening_tweets
    union all
    select
        thread.root_tweet_id,
        tweets.tweet_id
    from thread
    inner join tweets on thread.tweet_id = tweets.in_response_to_tweet_id

),

messages as (

    select
        thread.root_tweet_id,
        tweets.author_id,
        tweets.is_inbound,
        tweets.created_at
    from thread
    inner join tweets on thread.tweet_id = tweets.tweet_id

),

activity as (

    select
        messages.root_tweet_id,
        min(messages.created_at) filter (
            where not messages.is_inbound and messages.created_at >= opening_tweets.opened_at
        ) as first_response_at,
        arg_min(messages.author_id, messages.created_at) filter (where not messages.is_inbound) as brand_handle,
        max(messages.created_at) filter (where not messages.is_inbound) as last_brand_message_at,
        max(messages.created_at) filter (where messages.is_inbound) as last_customer_message_at,
        count(*) filter (where messages.is_inbound) as inbound_messages,
        count(*) filter (where not messages.is_inbound) as outbound_messages,
        max(messages.created_at) as last_activity_at
    from messages
    inner join opening_tweets on messages.root_tweet_id = opening_tweets.root_tweet_id
    group by messages.root_tweet_id

),

final as (

    select
        'twcs' as source_system,
        'x_mention' as channel,
        'normal' as priority,
        -- twcs has one support handle per brand; the handle names the team that answered.
        opening_tweets.requester_id,
        opening_tweets.opened_at,
        activity.first_response_at,
        activity.last_activity_at,
        activity.inbound_messages,
        activity.outbound_messages,
        'twcs:' || opening_tweets.root_tweet_id as conversation_id,
        coalesce(activity.brand_handle, 'Unassigned') as team,
        case
            when activity.last_brand_message_at >= activity.last_customer_message_at
                then activity.last_brand_message_at
        end as resolved_at
    from opening_tweets
    inner join activity on opening_tweets.root_tweet_id = activity.root_tweet_id

)

select * from final

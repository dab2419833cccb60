-- A conversation is a customer tweet that opens a thread in the file and every reply under it. A customer tweet
-- opens one when it answers nothing, or when what it answers is not in the file (an inbound-only export, or a sample
-- whose other side lies elsewhere): such a thread is still a customer waiting, counted unanswered until a brand
-- tweet in the file answers it.
with recursive

tweets as (

    select * from {{ ref('stg_twcs__tweets') }}

),

-- Handles that answer customers in this file; a customer-only export has none, so the addressed handle names the team.
brand_handles as (

    select min(author_id) as handle
    from tweets
    where not is_inbound
    group by lower(author_id)

),

opening_tweets as (

    select
        tweets.tweet_id as root_tweet_id,
        tweets.author_id as requester_id,
        tweets.created_at as opened_at,
        {{ addressed_handle('tweets.tweet_text', named_only=true) }} as addressed_handle
    from tweets
    left join tweets as parents on tweets.in_response_to_tweet_id = parents.tweet_id
    where tweets.is_inbound and parents.tweet_id is null

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
        opening_tweets.requester_id,
        opening_tweets.opened_at,
        activity.first_response_at,
        activity.last_activity_at,
        activity.inbound_messages,
        activity.outbound_messages,
        'twcs:' || opening_tweets.root_tweet_id as conversation_id,
        -- twcs has one support handle per brand: the handle that answered names the team; unanswered, the first
        -- handle the customer addressed that is not an anonymised customer number (spelled as the brand spells it).
        coalesce(activity.brand_handle, brand_handles.handle, opening_tweets.addressed_handle, 'Unassigned') as team,
        case
            when activity.last_brand_message_at >= activity.last_customer_message_at
                then activity.last_brand_message_at
        end as resolved_at
    from opening_tweets
    inner join activity on opening_tweets.root_tweet_id = activity.root_tweet_id
    left join brand_handles on lower(opening_tweets.addressed_handle) = lower(brand_handles.handle)

)

select * from final

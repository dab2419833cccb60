-- Every message between a customer (or the public) and the business, one row each: posts, replies, DMs, ticket
-- comments, reviews and ideas. Inbound is from the customer, outbound from the business.
with

file_drops as (

    select * from {{ ref('stg_file_drops__interactions') }}

),

x_tweets as (

    select * from {{ ref('stg_x__tweets') }}

),

x_dm_events as (

    select * from {{ ref('stg_x__dm_events') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

ticket_comments as (

    select * from {{ ref('int_zendesk__ticket_comments') }}

),

tickets as (

    select * from {{ ref('stg_zendesk__tickets') }}

),

twcs_tweets as (

    select * from {{ ref('stg_twcs__tweets') }}

),

reviews as (

    select * from {{ ref('stg_reviews__reviews') }}

),

ideas as (

    select * from {{ ref('stg_community__ideas') }}

),

olist_reviews as (

    select * from {{ ref('stg_olist__order_reviews') }}

),

olist_orders as (

    select * from {{ ref('stg_olist__orders') }}

),

olist_customers as (

    select * from {{ ref('stg_olist__customers') }}

),

from_x_tweets as (

    select
        'x' as source_system,
        x_tweets.tweet_id as interaction_id,
        'x_mention' as channel,
        case when brand_accounts.x_user_id is null then 'inbound' else 'outbound' end as direction,
        x_tweets.author_id as actor_id,
        'x:' || x_tweets.conversation_id as conversation_key,
        x_tweets.created_at as occurred_at,
        x_tweets.tweet_text as body,
        cast(null as integer) as rating
    from x_tweets
    left join brand_accounts on x_tweets.author_id = brand_accounts.x_user_id

),

from_x_dms as (

    select
        'x' as source_system,
        'dm:' || x_dm_events.dm_event_id as interaction_id,
        'x_dm' as channel,
        case when brand_accounts.x_user_id is null then 'inbound' else 'outbound' end as direction,
        x_dm_events.sender_id as actor_id,
        'x_dm:' || x_dm_events.dm_conversation_id as conversation_key,
        x_dm_events.created_at as occurred_at,
        x_dm_events.message_text as body,
        cast(null as integer) as rating
    from x_dm_events
    left join brand_accounts on x_dm_events.sender_id = brand_accounts.x_user_id
    where x_dm_events.event_type = 'MessageCreate'

),

from_zendesk as (

    select
        'zendesk' as source_system,
        cast(ticket_comments.comment_id as varchar) as interaction_id,
        coalesce(tickets.via_channel, 'web') as channel,
        case when ticket_comments.author_role in ('agent', 'admin') then 'outbound' else 'inbound' end as direction,
        cast(ticket_comments.author_id as varchar) as actor_id,
        'zendesk:' || ticket_comments.ticket_id as conversation_key,
        ticket_comments.commented_at as occurred_at,
        ticket_comments.body,
        cast(null as integer) as rating
    from ticket_comments
    left join tickets on ticket_comments.ticket_id = tickets.ticket_id
    where ticket_comments.is_public

),

from_twcs as (

    select
        'twcs' as source_system,
        tweet_id as interaction_id,
        'x_mention' as channel,
        case when is_inbound then 'inbound' else 'outbound' end as direction,
        author_id as actor_id,
        -- Threads are reply chains here (int_care__twcs_conversations walks them); the parent is kept instead.
        'twcs:' || coalesce(in_response_to_tweet_id, tweet_id) as conversation_key,
        created_at as occurred_at,
        tweet_text as body,
        cast(null as integer) as rating
    from twcs_tweets

),

from_reviews as (

    select
        'reviews' as source_system,
        review_id as interaction_id,
        'review' as channel,
        'inbound' as direction,
        coalesce(author_email, author_handle, author_name) as actor_id,
        'reviews:' || review_id as conversation_key,
        created_at as occurred_at,
        concat_ws(chr(10), title, body) as body,
        rating
    from reviews

),

from_ideas as (

    select
        'community' as source_system,
        idea_id as interaction_id,
        'community' as channel,
        'inbound' as direction,
        author_id as actor_id,
        'community:' || idea_id as conversation_key,
        created_at as occurred_at,
        concat_ws(chr(10), title, details) as body,
        cast(null as integer) as rating
    from ideas

),

-- An Olist review is the customer's answer to the satisfaction survey sent after delivery.
from_olist_reviews as (

    select
        'olist' as source_system,
        olist_reviews.review_id || ':' || olist_reviews.order_id as interaction_id,
        'review' as channel,
        'inbound' as direction,
        olist_customers.customer_unique_id as actor_id,
        'olist:' || olist_reviews.order_id as conversation_key,
        coalesce(olist_reviews.answered_at, olist_reviews.survey_sent_at) as occurred_at,
        nullif(concat_ws(chr(10), olist_reviews.review_title, olist_reviews.review_message), '') as body,
        olist_reviews.review_score as rating
    from olist_reviews
    left join olist_orders on olist_reviews.order_id = olist_orders.order_id
    left join olist_customers on olist_orders.customer_id = olist_customers.customer_id

),

unioned as (

    select * from from_x_tweets
    union all by name
    select * from from_x_dms
    union all by name
    select * from from_zendesk
    union all by name
    select * from from_twcs
    union all by name
    select * from from_reviews
    union all by name
    select * from from_ideas
    union all by name
    select * from from_olist_reviews
    union all by name
    select * from file_drops
    {{ fivetran_union('interactions') }}

),

final as (

    select
        *,
        source_system || ':' || interaction_id as interaction_key
    from unioned

)

select * from final

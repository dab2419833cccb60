-- Source system x sentiment method: how many customer messages each source sent, and how many of them the text
-- signals can read (a sentiment signal, a taxonomy topic). Definitions: DECISIONLOG.md, "Text coverage".
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

-- Customer messages: everything a customer sent that the text signals score (posts, replies, DMs, ticket comments,
-- reviews, ideas, file-drop messages), with or without text; journey events (emails sent, calls, web events) carry
-- no text and are left out.
customer_messages as (

    select
        source_system,
        coalesce(sentiment_method, 'unscored') as sentiment_method,
        coalesce(sentiment_method not in ('no_signal', 'no_text'), false) as has_sentiment_signal,
        coalesce(topic is not null and topic != 'unclassified', false) as has_topic
    from interactions
    where direction = 'inbound' and interaction_type not in {{ journey_event_types() }}

),

per_method as (

    select
        source_system,
        sentiment_method,
        has_sentiment_signal,
        count(*) as messages,
        count(case when has_topic then 1 end) as messages_with_topic
    from customer_messages
    group by source_system, sentiment_method, has_sentiment_signal

),

final as (

    select
        source_system,
        sentiment_method,
        has_sentiment_signal,
        messages,
        messages_with_topic,
        1.0 * messages / sum(messages) over per_source as share_of_source_messages,
        1.0 * sum(case when has_sentiment_signal then messages else 0 end) over per_source
        / sum(messages) over per_source as source_sentiment_signal_share,
        1.0 * sum(messages_with_topic) over per_source / sum(messages) over per_source as source_topic_share
    from per_method
    window per_source as (partition by source_system)

)

select * from final

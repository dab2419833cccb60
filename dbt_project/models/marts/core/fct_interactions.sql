-- Incremental runs compute every interaction but write only the rows that are new or differ from the last build
-- (delete+insert on the key): a record that arrives late, or a CRM change that reclassifies old interactions (segment,
-- source class), lands like a new one, so the table always equals a full refresh. The post-hook removes rows whose
-- source record is gone upstream (a ticket deleted at the source), which delete+insert alone would keep.
{{
    config(
        materialized='incremental',
        unique_key='interaction_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="delete from {{ this }} where interaction_key not in (select interaction_key from {{ ref('int_canonical__interactions') }} union all select touchpoint_key from {{ ref('int_canonical__touchpoints') }})"
    )
}}

-- One row per interaction across every channel: messages (posts, replies, DMs, ticket comments, reviews, ideas) and
-- journey events (emails, calls, web events), with who wrote it, their CRM link, source class and text signals.
with

messages as (

    select * from {{ ref('int_canonical__interactions') }}

),

touchpoints as (

    select * from {{ ref('int_canonical__touchpoints') }}

),

actor_contacts as (

    select * from {{ ref('int_identity__actor_contacts') }}

),

contacts as (

    select * from {{ ref('int_canonical__contacts') }}

),

account_status as (

    select * from {{ ref('int_customers__account_status') }}

),

sentiment as (

    select * from {{ ref('int_text__interaction_sentiment') }}

),

topics as (

    select * from {{ ref('int_text__interaction_topics') }}

),

contacts_by_email as (

    select
        email,
        min(contact_key) as contact_key
    from contacts
    where email is not null
    group by email

),

-- A person who has ordered is a client from their first order on, with or without an account (Olist shoppers).
first_orders as (

    select
        contact_key,
        min(occurred_at) as first_order_at
    from touchpoints
    where touchpoint_type = 'order' and contact_key is not null
    group by contact_key

),

from_messages as (

    select
        messages.interaction_key,
        messages.source_system,
        messages.channel,
        messages.direction,
        messages.conversation_key,
        messages.occurred_at,
        messages.body,
        messages.rating,
        actor_contacts.actor_key,
        actor_contacts.contact_key,
        actor_contacts.account_key,
        actor_contacts.match_method,
        actor_contacts.followers_count,
        case
            when messages.channel = 'x_dm' then 'dm'
            when messages.channel = 'x_mention' and messages.conversation_key = 'x:' || messages.interaction_id
                then 'post'
            when messages.channel = 'x_mention' then 'reply'
            when messages.channel = 'review' then 'review'
            when messages.channel = 'community' then 'idea'
            when messages.source_system = 'zendesk' then 'ticket_comment'
            else 'message'
        end as interaction_type,
        coalesce(actor_contacts.is_own_brand, false) or messages.direction = 'outbound' as is_own_brand
    from messages
    left join actor_contacts
        on messages.source_system = actor_contacts.source_system and messages.actor_id = actor_contacts.actor_id

),

from_touchpoints as (

    select
        touchpoints.touchpoint_key as interaction_key,
        touchpoints.source_system,
        touchpoints.channel,
        cast(null as varchar) as conversation_key,
        touchpoints.occurred_at,
        cast(null as varchar) as body,
        cast(null as integer) as rating,
        cast(null as bigint) as followers_count,
        false as is_own_brand,
        case
            when touchpoints.touchpoint_type in ('outbound_call', 'email_processed', 'email_delivered', 'email_bounce')
                then 'outbound'
            -- Meetings and CRM tasks are logged by the brand's own people; Klaviyo's received SMS is one it sent.
            when touchpoints.channel in ('meeting', 'task') or touchpoints.touchpoint_type = 'received_sms'
                then 'outbound'
            else 'inbound'
        end as direction,
        case
            when touchpoints.contact_key is not null
                then touchpoints.source_system || ':' || touchpoints.contact_key
            when touchpoints.contact_email is not null then 'email:' || lower(touchpoints.contact_email)
        end as actor_key,
        coalesce(touchpoints.contact_key, contacts_by_email.contact_key) as contact_key,
        case
            when touchpoints.contact_key is not null then 'crm_id'
            when contacts_by_email.contact_key is not null then 'email'
            else 'unmatched'
        end as match_method,
        case touchpoints.channel
            when 'email' then 'email'
            when 'voice' then 'call'
            when 'sms' then 'sms'
            when 'meeting' then 'meeting'
            when 'task' then 'crm_task'
            else 'web_event'
        end as interaction_type,
        touchpoints.account_key
    from touchpoints
    left join contacts_by_email on lower(touchpoints.contact_email) = contacts_by_email.email
    -- Orders and leads are outcomes of the journey (fct_touchpoints), not conversations with the customer.
    where
        touchpoints.channel in ('web', 'email', 'voice', 'sms', 'meeting', 'task')
        and touchpoints.touchpoint_type not in ('order', 'marketing_qualified_lead')

),

unioned as (

    select * from from_messages
    union all by name
    select * from from_touchpoints

),

with_accounts as (

    select
        unioned.* exclude (account_key),
        coalesce(unioned.account_key, contacts.account_key) as account_key
    from unioned
    left join contacts on unioned.contact_key = contacts.contact_key

),

built as (

    select
        with_accounts.interaction_key,
        with_accounts.source_system,
        with_accounts.interaction_type,
        with_accounts.channel,
        with_accounts.direction,
        with_accounts.actor_key,
        with_accounts.contact_key,
        with_accounts.account_key,
        with_accounts.match_method,
        with_accounts.conversation_key,
        with_accounts.occurred_at,
        with_accounts.body,
        with_accounts.rating,
        sentiment.sentiment_score,
        sentiment.sentiment_label,
        sentiment.sentiment_confidence,
        sentiment.sentiment_method,
        topics.topic,
        topics.product_area,
        topics.owning_team,
        coalesce(account_status.segment, 'Unknown') as segment,
        case
            when with_accounts.channel in ('x_mention', 'x_dm') then 'social'
            when with_accounts.channel in ('community', 'review') then with_accounts.channel
            when with_accounts.interaction_type in {{ journey_event_types() }} then with_accounts.interaction_type
            else 'support'
        end as channel_group,
        case
            when with_accounts.channel in ('x_mention', 'x_dm') then 'x'
            when with_accounts.channel = 'voice' then 'phone'
            else with_accounts.source_system
        end as platform,
        cast(with_accounts.occurred_at as date) as occurred_on,
        case
            when with_accounts.is_own_brand then 'own_brand'
            when
                cast(with_accounts.occurred_at as date) >= account_status.customer_since
                and (
                    account_status.churned_on is null
                    or cast(with_accounts.occurred_at as date) < account_status.churned_on
                )
                then 'client'
            when with_accounts.occurred_at >= first_orders.first_order_at then 'client'
            when with_accounts.contact_key is not null then 'prospect'
            when with_accounts.followers_count >= {{ var('influencer_min_followers') }} then 'influencer'
            else 'unknown'
        end as source_class
    from with_accounts
    left join account_status on with_accounts.account_key = account_status.account_key
    left join first_orders on with_accounts.contact_key = first_orders.contact_key
    left join sentiment on with_accounts.interaction_key = sentiment.interaction_key
    left join topics on with_accounts.interaction_key = topics.interaction_key

),

final as (

    select * from built
    {{ except_last_build() }}

)

select * from final

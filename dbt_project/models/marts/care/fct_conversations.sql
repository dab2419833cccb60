-- Incremental runs compute every conversation but write only the rows that are new or differ from the last build
-- (delete+insert on the key), so late records, CRM changes and moving breach flags all land, and the table always
-- equals a full refresh. The post-hook removes rows whose source record is gone upstream (a ticket deleted at the
-- source), which delete+insert alone would keep.
{{
    config(
        materialized='incremental',
        unique_key='conversation_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="delete from {{ this }} where conversation_id not in (select conversation_id from {{ ref('fct_care_conversations') }})"
    )
}}

-- One row per care conversation with its service levels in calendar and business minutes (first response, next
-- responses, resolution), SLA flags, and what the opening message was about and who sent it.
with

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

intervals as (

    select * from {{ ref('int_care__interval_business_minutes') }}

),

openings as (

    select * from {{ ref('int_care__conversation_openings') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

answered as (

    select
        conversation_id,
        max(case when interval_kind = 'first_response' then business_minutes end) as first_response_business_minutes,
        max(case when interval_kind = 'resolution' then business_minutes end) as resolution_business_minutes,
        count(case when interval_kind = 'next_response' then 1 end) as next_responses,
        avg(case when interval_kind = 'next_response' then calendar_minutes end) as avg_next_response_minutes,
        max(case when interval_kind = 'next_response' then calendar_minutes end) as max_next_response_minutes,
        avg(case when interval_kind = 'next_response' then business_minutes end)
            as avg_next_response_business_minutes
    from intervals
    where not is_open
    group by conversation_id

),

waiting as (

    select
        conversation_id,
        count(*) as unanswered_next_responses
    from intervals
    where is_open and interval_kind = 'next_response'
    group by conversation_id

),

built as (

    select
        conversations.conversation_id,
        conversations.source_system,
        conversations.channel,
        conversations.team,
        conversations.priority,
        conversations.requester_id,
        openings.contact_key,
        openings.account_key,
        interactions.source_class,
        openings.topic,
        openings.owning_team as topic_owning_team,
        openings.sentiment_label as opening_sentiment,
        conversations.opened_at,
        conversations.first_response_at,
        conversations.resolved_at,
        conversations.first_response_minutes,
        answered.first_response_business_minutes,
        answered.avg_next_response_minutes,
        answered.max_next_response_minutes,
        answered.avg_next_response_business_minutes,
        conversations.resolution_minutes,
        answered.resolution_business_minutes,
        conversations.first_response_target_minutes,
        conversations.resolution_target_minutes,
        conversations.is_responded,
        conversations.is_resolved,
        conversations.is_first_response_breached,
        conversations.is_resolution_breached,
        conversations.is_sla_breached,
        conversations.inbound_messages,
        conversations.outbound_messages,
        coalesce(answered.next_responses, 0) as next_responses,
        coalesce(waiting.unanswered_next_responses, 0) as unanswered_next_responses
    from conversations
    left join answered on conversations.conversation_id = answered.conversation_id
    left join waiting on conversations.conversation_id = waiting.conversation_id
    left join openings on conversations.conversation_id = openings.conversation_id
    left join interactions on openings.opening_interaction_key = interactions.interaction_key

),

final as (

    select * from built
    {{ except_last_build() }}

)

select * from final

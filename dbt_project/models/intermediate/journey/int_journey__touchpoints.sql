-- Every touchpoint of a person or account across channels (messages, journey events, orders, leads, won deals and
-- churn) with its journey stage, before fct_touchpoints puts each person's and account's touchpoints in order.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

canonical_touchpoints as (

    select * from {{ ref('int_canonical__touchpoints') }}

),

opportunities as (

    select * from {{ ref('int_canonical__opportunities') }}

),

account_status as (

    select * from {{ ref('int_customers__account_status') }}

),

contacts as (

    select * from {{ ref('int_canonical__contacts') }}

),

journey_stages as (

    select * from {{ ref('journey_stages') }}

),

from_interactions as (

    select
        interaction_key as touchpoint_key,
        contact_key,
        account_key,
        occurred_at,
        channel,
        channel_group,
        direction,
        coalesce(contact_key, actor_key) as person_key,
        case
            when interaction_type in {{ journey_event_types() }} then body
            else interaction_type
        end as touchpoint_type,
        case
            when interaction_type in {{ journey_event_types() }} then null
            when
                source_class = 'client' and sentiment_label = 'positive'
                and interaction_type in ('post', 'reply', 'review', 'idea') then 'advocacy'
            when source_class = 'client' then 'service'
            when source_class = 'prospect' then 'consideration'
            else 'awareness'
        end as message_stage
    from interactions
    where not coalesce(source_class = 'own_brand', false) or interaction_type in {{ journey_event_types() }}

),

-- Journey events carry their event type, which fct_interactions does not keep: take it from the canonical rows.
journey_events as (

    select
        from_interactions.* exclude (touchpoint_type),
        coalesce(canonical_touchpoints.touchpoint_type, from_interactions.touchpoint_type) as touchpoint_type
    from from_interactions
    left join canonical_touchpoints on from_interactions.touchpoint_key = canonical_touchpoints.touchpoint_key

),

orders_and_leads as (

    select
        canonical_touchpoints.touchpoint_key,
        canonical_touchpoints.account_key,
        canonical_touchpoints.occurred_at,
        canonical_touchpoints.channel,
        canonical_touchpoints.touchpoint_type,
        'inbound' as direction,
        cast(null as varchar) as message_stage,
        coalesce(canonical_touchpoints.contact_key, contacts.contact_key) as contact_key,
        case when canonical_touchpoints.touchpoint_type = 'order' then 'order' else 'lead' end as channel_group,
        coalesce(canonical_touchpoints.contact_key, 'email:' || lower(canonical_touchpoints.contact_email))
            as person_key
    from canonical_touchpoints
    left join contacts on lower(canonical_touchpoints.contact_email) = contacts.email
    where canonical_touchpoints.touchpoint_type in ('order', 'marketing_qualified_lead')

),

won_deals as (

    select
        'won:' || opportunity_key as touchpoint_key,
        contact_key,
        account_key,
        contact_key as person_key,
        'crm' as channel,
        'deal' as channel_group,
        'opportunity_won' as touchpoint_type,
        'inbound' as direction,
        cast(null as varchar) as message_stage,
        cast(close_date as timestamp) as occurred_at
    from opportunities
    where is_won and close_date is not null

),

churns as (

    select
        'churn:' || account_key as touchpoint_key,
        cast(null as varchar) as contact_key,
        account_key,
        cast(null as varchar) as person_key,
        'crm' as channel,
        'lifecycle' as channel_group,
        'account_churned' as touchpoint_type,
        'inbound' as direction,
        cast(null as varchar) as message_stage,
        cast(churned_on as timestamp) as occurred_at
    from account_status
    where churned_on is not null

),

unioned as (

    select * from journey_events
    union all by name
    select * from orders_and_leads
    union all by name
    select * from won_deals
    union all by name
    select * from churns

),

final as (

    select
        unioned.touchpoint_key,
        unioned.person_key,
        unioned.contact_key,
        unioned.account_key,
        unioned.occurred_at,
        unioned.channel,
        unioned.channel_group,
        unioned.touchpoint_type,
        unioned.direction,
        coalesce(unioned.message_stage, journey_stages.journey_stage, 'awareness') as journey_stage
    from unioned
    left join journey_stages on unioned.touchpoint_type = journey_stages.touchpoint_type
    where unioned.person_key is not null or unioned.account_key is not null

)

select * from final

-- One row per current customer account: its annual revenue weighted by risk signals from the last
-- var `risk_window_days` days (unresolved negative conversations, SLA breaches, falling sentiment), ranked.
with

account_status as (

    select * from {{ ref('int_customers__account_status') }}

),

customer_economics as (

    select * from {{ ref('customer_economics') }}

),

openings as (

    select * from {{ ref('int_care__conversation_openings') }}

),

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

as_of as (

    {{ care_as_of('interactions', 'occurred_at') }}

),

window_bounds as (

    select
        as_of_at,
        {{ dbt.dateadd('day', -var('risk_window_days'), 'as_of_at') }} as window_start_at,
        {{ dbt.dateadd('day', -var('risk_recent_days'), 'as_of_at') }} as recent_start_at
    from as_of

),

care_signals as (

    select
        openings.account_key,
        count(
            case
                when
                    openings.sentiment_label = 'negative'
                    and (
                        (conversations.source_system = 'zendesk' and not conversations.is_resolved)
                        or (conversations.source_system != 'zendesk' and not conversations.is_responded)
                    )
                    then 1
            end
        ) as unresolved_negative_conversations,
        count(case when conversations.is_sla_breached then 1 end) as sla_breaches
    from openings
    inner join conversations on openings.conversation_id = conversations.conversation_id
    cross join window_bounds
    where
        openings.account_key is not null
        and conversations.opened_at >= window_bounds.window_start_at
        and conversations.opened_at <= window_bounds.as_of_at
    group by openings.account_key

),

sentiment_signals as (

    select
        interactions.account_key,
        avg(case when interactions.occurred_at >= window_bounds.recent_start_at then interactions.sentiment_score end)
            as recent_sentiment,
        avg(case when interactions.occurred_at < window_bounds.recent_start_at then interactions.sentiment_score end)
            as earlier_sentiment
    from interactions
    cross join window_bounds
    where
        interactions.direction = 'inbound'
        and interactions.account_key is not null
        and interactions.sentiment_score is not null
        and interactions.occurred_at >= window_bounds.window_start_at
        and interactions.occurred_at <= window_bounds.as_of_at
    group by interactions.account_key

),

scored as (

    select
        account_status.account_key,
        account_status.account_name,
        account_status.segment,
        sentiment_signals.recent_sentiment,
        sentiment_signals.earlier_sentiment,
        coalesce(account_status.mrr * 12, customer_economics.annual_revenue_per_customer) as annual_revenue,
        coalesce(care_signals.unresolved_negative_conversations, 0) as unresolved_negative_conversations,
        coalesce(care_signals.sla_breaches, 0) as sla_breaches,
        coalesce(
            sentiment_signals.recent_sentiment
            <= sentiment_signals.earlier_sentiment - {{ var('risk_sentiment_drop') }},
            false
        ) as is_sentiment_falling
    from account_status
    left join customer_economics on account_status.segment = customer_economics.segment
    left join care_signals on account_status.account_key = care_signals.account_key
    left join sentiment_signals on account_status.account_key = sentiment_signals.account_key
    where account_status.is_customer and not account_status.is_churned

),

weighted as (

    select
        *,
        cast(
            {{ var('risk_weight_unresolved_negative') }}
            * (case when unresolved_negative_conversations > 0 then 1 else 0 end)
            + {{ var('risk_weight_sla_breach') }} * (case when sla_breaches > 0 then 1 else 0 end)
            + {{ var('risk_weight_falling_sentiment') }} * (case when is_sentiment_falling then 1 else 0 end)
            as double
        ) as risk_score
    from scored

),

final as (

    select
        *,
        cast(annual_revenue * risk_score as decimal(18, 2)) as revenue_at_risk,
        row_number() over (order by annual_revenue * risk_score desc, account_key) as risk_rank
    from weighted

)

select * from final

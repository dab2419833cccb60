with

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

final as (

    select
        cast(opened_at as date) as activity_date,
        channel,
        team,
        count(*) as conversations,
        count(*) filter (where is_responded) as responded_conversations,
        count(*) filter (where is_resolved) as resolved_conversations,
        count(*) filter (where is_first_response_breached) as first_response_breaches,
        count(*) filter (where is_resolution_breached) as resolution_breaches,
        count(*) filter (where is_sla_breached) as sla_breached_conversations,
        1 - count(*) filter (where is_sla_breached) / count(*) as sla_attainment_rate,
        median(first_response_minutes) as median_first_response_minutes,
        quantile_cont(first_response_minutes, 0.9) as p90_first_response_minutes,
        median(resolution_minutes) as median_resolution_minutes
    from conversations
    group by cast(opened_at as date), channel, team

)

select * from final

-- Month x KPI: the one table the executive dashboard reads. Each KPI comes from the mart that defines it; labels,
-- direction and targets come from the seed kpi_targets.
with

channel_mix as (

    select * from {{ ref('mart_channel_mix') }}

),

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

social_care as (

    select * from {{ ref('mart_social_care') }}

),

source_mix as (

    select * from {{ ref('mart_source_mix') }}

),

topic_trends as (

    select * from {{ ref('mart_topic_trends') }}

),

revenue_influence as (

    select * from {{ ref('mart_revenue_influence') }}

),

cost_to_serve as (

    select * from {{ ref('mart_cost_to_serve') }}

),

account_status as (

    select * from {{ ref('int_customers__account_status') }}

),

revenue_at_risk as (

    select * from {{ ref('mart_revenue_at_risk') }}

),

kpi_targets as (

    select * from {{ ref('kpi_targets') }}

),

kpi_values as (

    select
        month_start as period_start,
        'social_share' as kpi,
        1.0 * sum(case when channel_group = 'social' then interactions else 0 end) / sum(interactions) as kpi_value
    from channel_mix
    group by month_start

    union all

    select
        cast({{ dbt.date_trunc('month', 'opened_at') }} as date) as period_start,
        'median_first_response_minutes' as kpi,
        {{ percentile('first_response_minutes', 0.5) }} as kpi_value
    from conversations
    group by cast({{ dbt.date_trunc('month', 'opened_at') }} as date)

    union all

    select
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as period_start,
        'sla_attainment' as kpi,
        1.0 * sum(sla_met_conversations) / nullif(sum(conversations), 0) as kpi_value
    from social_care
    group by cast({{ dbt.date_trunc('month', 'activity_date') }} as date)

    union all

    select
        month_start as period_start,
        'negative_share' as kpi,
        1.0 * sum(negative_interactions) / sum(interactions) as kpi_value
    from source_mix
    where source_class != 'own_brand'
    group by month_start

    union all

    select
        cast({{ dbt.date_trunc('month', 'week_start') }} as date) as period_start,
        'hot_button_topic_weeks' as kpi,
        sum(case when is_hot_button then 1 else 0 end) as kpi_value
    from topic_trends
    group by cast({{ dbt.date_trunc('month', 'week_start') }} as date)

    union all

    select
        month_start as period_start,
        'influenced_won_share' as kpi,
        1.0 * sum(influenced_won_amount) / nullif(sum(won_amount), 0) as kpi_value
    from revenue_influence
    group by month_start

    union all

    select
        month_start as period_start,
        'win_rate_lift' as kpi,
        1.0 * sum(engaged_won) / nullif(sum(engaged_closed), 0)
        - 1.0 * sum(not_engaged_won) / nullif(sum(not_engaged_closed), 0) as kpi_value
    from revenue_influence
    group by month_start

    union all

    select
        month_start as period_start,
        'cost_per_resolution' as kpi,
        sum(total_cost) / nullif(sum(resolved_contacts), 0) as kpi_value
    from cost_to_serve
    group by month_start

    union all

    select
        month_start as period_start,
        'social_saving_vs_phone' as kpi,
        sum(saving_vs_phone) as kpi_value
    from cost_to_serve
    group by month_start

    union all

    select
        cast({{ dbt.date_trunc('month', 'churned_on') }} as date) as period_start,
        'customers_churned' as kpi,
        count(*) as kpi_value
    from account_status
    where churned_on is not null
    group by cast({{ dbt.date_trunc('month', 'churned_on') }} as date)

    union all

    -- A snapshot, not a history: only the latest month has a value.
    select
        (select max(channel_mix.month_start) from channel_mix) as period_start,
        'revenue_at_risk' as kpi,
        sum(revenue_at_risk) as kpi_value
    from revenue_at_risk

),

typed as (

    select
        period_start,
        kpi,
        cast(kpi_value as double) as kpi_value
    from kpi_values
    where period_start is not null and kpi_value is not null

),

final as (

    select
        typed.period_start,
        typed.kpi,
        kpi_targets.kpi_label,
        kpi_targets.unit,
        typed.kpi_value,
        kpi_targets.target,
        kpi_targets.up_is_good,
        kpi_targets.display_order,
        lag(typed.kpi_value) over (partition by typed.kpi order by typed.period_start) as prior_value,
        typed.kpi_value
        - lag(typed.kpi_value) over (partition by typed.kpi order by typed.period_start) as change_from_prior,
        case
            when kpi_targets.target is null or typed.kpi_value is null then null
            when kpi_targets.up_is_good then typed.kpi_value >= kpi_targets.target
            else typed.kpi_value <= kpi_targets.target
        end as is_on_target
    from typed
    left join kpi_targets on typed.kpi = kpi_targets.kpi

)

select * from final

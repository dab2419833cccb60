-- Scorecard KPIs that disagree with the marts they come from: each KPI recomputed from its mart, month by month.
-- GX puts the scorecard batch where the query names `batch`. Returns one row per disagreeing (KPI, month); none
-- when consistent.
with recomputed as (
    select month_start as period_start, 'social_share' as kpi,
        1.0 * sum(case when channel_group = 'social' then interactions else 0 end) / sum(interactions) as expected
    from marts.mart_channel_mix
    group by month_start
    union all
    select date_trunc('month', activity_date), 'sla_attainment',
        1.0 * sum(sla_met_conversations) / nullif(sum(conversations), 0)
    from marts.mart_social_care
    group by 1, 2
    union all
    select date_trunc('month', week_start), 'hot_button_topic_weeks', count(*) filter (where is_hot_button)
    from marts.mart_topic_trends
    group by 1, 2
    union all
    select month_start, 'social_saving_vs_phone', sum(saving_vs_phone)
    from marts.mart_cost_to_serve
    group by 1, 2
    union all
    -- Revenue at risk is a current figure: the scorecard shows it in the latest month of the channel mix.
    select (select max(month_start) from marts.mart_channel_mix), 'revenue_at_risk', sum(revenue_at_risk)
    from marts.mart_revenue_at_risk
),

-- The scorecard keeps only months it can date: without interactions, revenue at risk has no month and no row.
dated as (
    select * from recomputed where period_start is not null
),

scorecard as (
    select period_start, kpi, kpi_value from {batch}
    where kpi in (select kpi from recomputed)
)

select
    coalesce(scorecard.kpi, recomputed.kpi) as kpi,
    coalesce(scorecard.period_start, recomputed.period_start) as period_start,
    scorecard.kpi_value as scorecard_value,
    recomputed.expected as mart_value
from scorecard
full outer join dated as recomputed
    on scorecard.kpi = recomputed.kpi and scorecard.period_start = cast(recomputed.period_start as date)
where not (abs(coalesce(scorecard.kpi_value, 0) - coalesce(recomputed.expected, 0)) <= 1e-6
    and (scorecard.kpi_value is null) = (recomputed.expected is null))

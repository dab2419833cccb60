-- Week x topic: what customers talk about, how they feel about it, and which topics spike (hot-button) or stay
-- negative (need redress). Rules and thresholds: DECISIONLOG.md, "Topic trends".
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

topic_taxonomy as (

    select * from {{ ref('topic_taxonomy') }}

),

team_routing as (

    select * from {{ ref('team_routing') }}

),

customer_messages as (

    select
        topic,
        sentiment_score,
        sentiment_label,
        cast({{ dbt.date_trunc('week', 'occurred_at') }} as date) as week_start
    from interactions
    where direction = 'inbound' and topic is not null and topic != 'unclassified'

),

topics as (

    select distinct
        topic_taxonomy.topic,
        topic_taxonomy.product_area,
        team_routing.owning_team
    from topic_taxonomy
    left join team_routing on topic_taxonomy.product_area = team_routing.product_area

),

-- Every topic in every week with any customer message, so a quiet week counts as zero in the baseline.
weeks as (

    select distinct week_start from customer_messages

),

weekly as (

    select
        topic,
        week_start,
        cast(count(*) as integer) as interactions,
        cast(sum(case when sentiment_label = 'negative' then 1 else 0 end) as integer) as negative_interactions,
        avg(sentiment_score) as avg_sentiment
    from customer_messages
    group by topic, week_start

),

grid as (

    select
        topics.topic,
        topics.product_area,
        topics.owning_team,
        weeks.week_start,
        weekly.avg_sentiment,
        coalesce(weekly.interactions, 0) as interactions,
        coalesce(weekly.negative_interactions, 0) as negative_interactions
    from topics
    cross join weeks
    left join weekly on topics.topic = weekly.topic and weeks.week_start = weekly.week_start

),

with_baseline as (

    select
        *,
        avg(interactions) over previous_weeks as baseline_interactions,
        count(*) over previous_weeks as baseline_weeks,
        coalesce(
            1.0 * negative_interactions / nullif(interactions, 0) >= {{ var('redress_min_negative_share') }}, false
        ) as is_negative_week
    from grid
    window previous_weeks as (
        partition by topic order by week_start
        rows between {{ var('hot_button_baseline_weeks') }} preceding and 1 preceding
    )

),

streaks as (

    select
        *,
        sum(case when is_negative_week then 0 else 1 end) over (
            partition by topic order by week_start rows between unbounded preceding and current row
        ) as streak_group
    from with_baseline

),

measured as (

    select
        week_start,
        topic,
        product_area,
        owning_team,
        interactions,
        negative_interactions,
        avg_sentiment,
        baseline_interactions,
        1.0 * negative_interactions / nullif(interactions, 0) as negative_share,
        (interactions - baseline_interactions) / nullif(baseline_interactions, 0) as change_vs_baseline,
        cast(sum(case when is_negative_week then 1 else 0 end) over (
            partition by topic, streak_group order by week_start rows between unbounded preceding and current row
        ) as integer) as negative_streak_weeks,
        coalesce(
            baseline_weeks >= {{ var('hot_button_min_history_weeks') }}
            and interactions >= {{ var('hot_button_min_ratio') }} * baseline_interactions
            and interactions - baseline_interactions >= {{ var('hot_button_min_increase') }},
            false
        ) as is_hot_button
    from streaks

),

final as (

    select
        *,
        negative_streak_weeks >= {{ var('redress_weeks') }} as needs_redress
    from measured

)

select * from final

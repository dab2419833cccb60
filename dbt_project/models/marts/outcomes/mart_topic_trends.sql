-- Week x topic: what customers talk about, how they feel about it, and which topics spike (hot-button) or
-- get more negative than their own history (need redress). Rules and thresholds: DECISIONLOG.md, "Topic trends".
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
        1.0 * negative_interactions / nullif(interactions, 0) as negative_share,
        coalesce(
            1.0 * negative_interactions / nullif(interactions, 0) >= {{ var('redress_min_negative_share') }}, false
        ) as is_negative_week,
        -- Needs redress compares the last `redress_weeks` weeks (this one included) with the
        -- `redress_baseline_weeks` weeks before them.
        count(*) over redress_window as window_weeks,
        sum(case when interactions > 0 then 1 else 0 end) over redress_window as window_weeks_with_messages,
        sum(interactions) over redress_window as window_interactions,
        sum(negative_interactions) over redress_window as window_negative_interactions,
        min(1.0 * negative_interactions / nullif(interactions, 0)) over redress_window as window_min_negative_share,
        count(*) over redress_baseline as redress_baseline_weeks,
        sum(interactions) over redress_baseline as redress_baseline_interactions,
        sum(negative_interactions) over redress_baseline as redress_baseline_negative_interactions
    from grid
    window
        previous_weeks as (
            partition by topic order by week_start
            rows between {{ var('hot_button_baseline_weeks') }} preceding and 1 preceding
        ),
        redress_window as (
            partition by topic order by week_start
            rows between {{ var('redress_weeks') - 1 }} preceding and current row
        ),
        redress_baseline as (
            partition by topic order by week_start
            rows between {{ var('redress_weeks') + var('redress_baseline_weeks') - 1 }} preceding
            and {{ var('redress_weeks') }} preceding
        )

),

shares as (

    select
        *,
        1.0 * window_negative_interactions / nullif(window_interactions, 0) as recent_negative_share,
        1.0 * redress_baseline_negative_interactions
        / nullif(redress_baseline_interactions, 0) as baseline_negative_share,
        -- Pooled negative share of window and baseline, for the two-proportion z-test.
        1.0 * (window_negative_interactions + redress_baseline_negative_interactions)
        / nullif(window_interactions + redress_baseline_interactions, 0) as pooled_negative_share
    from with_baseline

),

tested as (

    select
        *,
        (recent_negative_share - baseline_negative_share) / nullif(
            sqrt(
                pooled_negative_share * (1 - pooled_negative_share)
                * (1.0 / nullif(window_interactions, 0) + 1.0 / nullif(redress_baseline_interactions, 0))
            ),
            0
        ) as negative_share_z
    from shares

),

streaks as (

    select
        *,
        sum(case when is_negative_week then 0 else 1 end) over (
            partition by topic order by week_start rows between unbounded preceding and current row
        ) as streak_group
    from tested

),

final as (

    select
        week_start,
        topic,
        product_area,
        owning_team,
        interactions,
        negative_interactions,
        avg_sentiment,
        baseline_interactions,
        negative_share,
        (interactions - baseline_interactions) / nullif(baseline_interactions, 0) as change_vs_baseline,
        cast(sum(case when is_negative_week then 1 else 0 end) over (
            partition by topic, streak_group order by week_start rows between unbounded preceding and current row
        ) as integer) as negative_streak_weeks,
        coalesce(
            baseline_weeks >= {{ var('hot_button_min_history_weeks') }}
            and interactions >= {{ var('hot_button_min_ratio') }} * baseline_interactions
            and interactions - baseline_interactions >= {{ var('hot_button_min_increase') }},
            false
        ) as is_hot_button,
        cast(window_interactions as integer) as recent_interactions,
        recent_negative_share,
        baseline_negative_share,
        negative_share_z,
        -- A sustained, significant rise of the topic's negative share against its own history (DECISIONLOG.md).
        coalesce(
            window_weeks = {{ var('redress_weeks') }}
            and window_weeks_with_messages = {{ var('redress_weeks') }}
            and redress_baseline_weeks >= {{ var('redress_weeks') }}
            and window_interactions >= {{ var('redress_min_messages') }}
            and redress_baseline_interactions >= {{ var('redress_min_messages') }}
            and recent_negative_share >= {{ var('redress_min_negative_share') }}
            and recent_negative_share - baseline_negative_share >= {{ var('redress_min_rise') }}
            and negative_share_z >= {{ var('redress_min_z') }}
            and window_min_negative_share >= baseline_negative_share + {{ var('redress_min_weekly_rise') }},
            false
        ) as needs_redress
    from streaks

)

select * from final

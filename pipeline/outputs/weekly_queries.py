"""The weekly report's queries on the serving file; parameters `$week` (a Monday), `$weeks`, `$limit`."""

# The week a topic's messages count in (mart_topic_trends) is date_trunc('week', occurred_at): [week, week + 7 days).
LATEST_COMPLETE_WEEK_SQL = """
select max(week_start) from mart_topic_trends
where week_start + 6 <= (select cast(max(occurred_at) as date) from fct_interactions)
"""

TREND_SQL = """
select
    week_start,
    cast(sum(interactions) as bigint) as interactions,
    cast(sum(negative_interactions) as bigint) as negative_interactions,
    sum(negative_interactions) / nullif(sum(interactions), 0) as negative_share,
    sum(avg_sentiment * interactions) / nullif(sum(interactions), 0) as avg_sentiment
from mart_topic_trends
where week_start <= $week and week_start > $week - 7 * $weeks
group by week_start
order by week_start
"""

HOT_BUTTON_SQL = """
select topic, product_area, owning_team, interactions, baseline_interactions, change_vs_baseline, negative_share
from mart_topic_trends
where week_start = $week and is_hot_button
order by interactions desc, topic
"""

# Engagement: the messages in the post's conversation (its replies and the brand's answers); fct_interactions has no
# like or share counts. Ties go to the most recent post.
EXAMPLE_POSTS_SQL = """
with week as (
    select interaction_key, topic, occurred_at, channel, sentiment_score, body, direction, conversation_key
    from fct_interactions
    where occurred_at >= $week and occurred_at < $week + interval 7 day
),

threads as (
    select conversation_key, count(*) as thread_messages
    from fct_interactions
    where conversation_key in (select conversation_key from week)
    group by conversation_key
)

select week.topic, week.occurred_at, week.channel, week.sentiment_score,
    coalesce(threads.thread_messages, 1) as thread_messages, week.body
from week
inner join mart_topic_trends as trends
    on week.topic = trends.topic and trends.week_start = $week and trends.is_hot_button
left join threads on week.conversation_key = threads.conversation_key
where week.direction = 'inbound' and coalesce(week.body, '') != ''
qualify row_number() over (
    partition by week.topic order by thread_messages desc, week.occurred_at desc, week.interaction_key
) <= $limit
order by week.topic, thread_messages desc, week.occurred_at desc, week.interaction_key
"""

REDRESS_SQL = """
select
    topic, product_area, owning_team, interactions, negative_share, negative_streak_weeks, recent_interactions,
    recent_negative_share, baseline_negative_share
from mart_topic_trends
where week_start = $week and needs_redress
order by recent_negative_share - baseline_negative_share desc, recent_negative_share desc, topic
"""

# Counts and SLA attainment as mart_social_care defines them (conversations count on the day they opened); the
# median first response over the week's answered conversations, which a median of daily medians would not give.
SLA_BY_TEAM_SQL = """
with care as (
    select
        team,
        cast(sum(conversations) as bigint) as conversations,
        cast(sum(responded_conversations) as bigint) as responded_conversations,
        cast(sum(sla_met_conversations) as bigint) as sla_met_conversations
    from mart_social_care
    where activity_date >= $week and activity_date < $week + 7
    group by team
    having sum(conversations) > 0
),

first_response as (
    select team, median(first_response_minutes) as median_first_response_minutes
    from fct_care_conversations
    where opened_at >= $week and opened_at < $week + interval 7 day
    group by team
)

select
    care.*,
    care.responded_conversations / care.conversations as response_rate,
    care.sla_met_conversations / care.conversations as sla_attainment_rate,
    first_response.median_first_response_minutes
from care
left join first_response on care.team = first_response.team
order by sla_attainment_rate, care.team
"""

TEAMS_SQL = """
select distinct owning_team from (
    select owning_team from mart_topic_trends union all select owning_team from mart_feedback_backlog
)
where owning_team is not null
"""

TEAM_TOPICS_SQL = """
select owning_team, topic, interactions, negative_share, change_vs_baseline, is_hot_button, needs_redress
from mart_topic_trends
where week_start = $week
order by owning_team, interactions desc, topic
"""

BACKLOG_SQL = """
select owning_team, cast(sum(open_items) as bigint) as open_items, max(oldest_open_age_days) as oldest_open_age_days
from mart_feedback_backlog
group by owning_team
"""

OPEN_ITEMS_SQL = """
select owning_team, feedback_type, topic, received_at, age_days, body
from mart_feedback_routing
where is_open
qualify row_number() over (partition by owning_team order by age_days desc, received_at, feedback_key) <= $limit
order by owning_team, age_days desc, received_at
"""

-- Day x channel x team x priority: how much care work came in, how fast and how well it was answered, and how much
-- is still open at the end of the day. Conversations count on the day they opened; the backlog moves on the days
-- conversations open and are resolved.
with

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

opened as (

    select
        channel,
        team,
        priority,
        cast(opened_at as date) as activity_date,
        count(*) as conversations,
        sum(case when is_responded then 1 else 0 end) as responded_conversations,
        sum(case when is_sla_breached then 0 else 1 end) as sla_met_conversations,
        sum(case when is_first_response_breached then 1 else 0 end) as first_response_breaches,
        {{ percentile('first_response_minutes', 0.5) }} as median_first_response_minutes,
        {{ percentile('first_response_minutes', 0.9) }} as p90_first_response_minutes,
        {{ percentile('resolution_minutes', 0.5) }} as median_resolution_minutes
    from conversations
    group by channel, team, priority, cast(opened_at as date)

),

resolved as (

    select
        channel,
        team,
        priority,
        cast(resolved_at as date) as activity_date,
        count(*) as resolved_conversations
    from conversations
    where is_resolved
    group by channel, team, priority, cast(resolved_at as date)

),

days as (

    select
        channel,
        team,
        priority,
        activity_date
    from opened
    union
    select
        channel,
        team,
        priority,
        activity_date
    from resolved

),

joined as (

    select
        days.activity_date,
        days.channel,
        days.team,
        days.priority,
        opened.median_first_response_minutes,
        opened.p90_first_response_minutes,
        opened.median_resolution_minutes,
        cast(coalesce(opened.conversations, 0) as integer) as conversations,
        cast(coalesce(opened.responded_conversations, 0) as integer) as responded_conversations,
        cast(coalesce(opened.sla_met_conversations, 0) as integer) as sla_met_conversations,
        cast(coalesce(opened.first_response_breaches, 0) as integer) as first_response_breaches,
        cast(coalesce(resolved.resolved_conversations, 0) as integer) as resolved_conversations
    from days
    left join opened
        on
            days.channel = opened.channel
            and days.team = opened.team
            and days.priority = opened.priority
            and days.activity_date = opened.activity_date
    left join resolved
        on
            days.channel = resolved.channel
            and days.team = resolved.team
            and days.priority = resolved.priority
            and days.activity_date = resolved.activity_date

),

with_backlog as (

    select
        *,
        cast(sum(conversations - resolved_conversations) over (
            partition by channel, team, priority order by activity_date rows between unbounded preceding and current row
        ) as integer) as open_backlog
    from joined

),

final as (

    select
        *,
        1.0 * responded_conversations / nullif(conversations, 0) as response_rate,
        1.0 * sla_met_conversations / nullif(conversations, 0) as sla_attainment_rate
    from with_backlog

)

select * from final

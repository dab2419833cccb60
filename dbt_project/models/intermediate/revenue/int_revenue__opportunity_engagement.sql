-- Each opportunity with whether its account engaged on social or in the community shortly before it closed (or, for
-- pipeline, before it was created): an inbound message by one of the account's contacts within var
-- `influence_window_days` days up to the day.
with

opportunities as (

    select * from {{ ref('int_canonical__opportunities') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

social_touches as (

    select
        account_key,
        occurred_at
    from interactions
    where
        direction = 'inbound'
        and account_key is not null
        and channel in ({{ "'" ~ var('influence_channels') | join("', '") ~ "'" }})

),

closed_engagement as (

    select
        opportunities.opportunity_key,
        count(*) as touches_before_close
    from opportunities
    inner join social_touches
        on
            opportunities.account_key = social_touches.account_key
            and social_touches.occurred_at
            >= {{ dbt.dateadd('day', -var('influence_window_days'), 'cast(opportunities.close_date as timestamp)') }}
            and social_touches.occurred_at
            < {{ dbt.dateadd('day', 1, 'cast(opportunities.close_date as timestamp)') }}
    where opportunities.is_closed
    group by opportunities.opportunity_key

),

created_engagement as (

    select
        opportunities.opportunity_key,
        count(*) as touches_before_creation
    from opportunities
    inner join social_touches
        on
            opportunities.account_key = social_touches.account_key
            and social_touches.occurred_at
            >= {{ dbt.dateadd('day', -var('influence_window_days'), 'opportunities.created_at') }}
            and opportunities.created_at >= social_touches.occurred_at
    group by opportunities.opportunity_key

),

final as (

    select
        opportunities.opportunity_key,
        opportunities.account_key,
        opportunities.source_system,
        opportunities.amount,
        opportunities.currency,
        opportunities.created_at,
        opportunities.close_date,
        opportunities.is_closed,
        opportunities.is_won,
        coalesce(closed_engagement.touches_before_close, 0) as touches_before_close,
        coalesce(created_engagement.touches_before_creation, 0) as touches_before_creation,
        closed_engagement.opportunity_key is not null as is_engaged_before_close,
        created_engagement.opportunity_key is not null as is_engaged_before_creation,
        case
            when opportunities.is_closed
                then {{ dbt.datediff('cast(opportunities.created_at as date)', 'opportunities.close_date', 'day') }}
        end as cycle_days
    from opportunities
    left join closed_engagement on opportunities.opportunity_key = closed_engagement.opportunity_key
    left join created_engagement on opportunities.opportunity_key = created_engagement.opportunity_key

)

select * from final

-- Month x currency: pipeline created and revenue closed, how much of it had a social or community touch in the
-- influence window before, and how engaged and not-engaged opportunities compare on win rate and cycle time.
with

opportunities as (

    select * from {{ ref('int_revenue__opportunity_engagement') }}

),

created as (

    select
        currency,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as month_start,
        count(*) as opportunities_created,
        sum(amount) as pipeline_created_amount,
        sum(case when is_engaged_before_creation then 1 else 0 end) as influenced_opportunities_created,
        sum(case when is_engaged_before_creation then amount else 0 end) as influenced_pipeline_amount
    from opportunities
    -- Deals without a creation date (Maven's prospecting rows have no engage date) count only once they close.
    where created_at is not null
    group by currency, cast({{ dbt.date_trunc('month', 'created_at') }} as date)

),

closed as (

    select
        currency,
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as month_start,
        count(*) as opportunities_closed,
        sum(case when is_won then 1 else 0 end) as won_opportunities,
        sum(case when is_won then amount else 0 end) as won_amount,
        sum(case when is_won and is_engaged_before_close then 1 else 0 end) as influenced_won_opportunities,
        sum(case when is_won and is_engaged_before_close then amount else 0 end) as influenced_won_amount,
        sum(case when is_engaged_before_close then 1 else 0 end) as engaged_closed,
        sum(case when is_engaged_before_close and is_won then 1 else 0 end) as engaged_won,
        sum(case when not is_engaged_before_close then 1 else 0 end) as not_engaged_closed,
        sum(case when not is_engaged_before_close and is_won then 1 else 0 end) as not_engaged_won,
        avg(case when is_engaged_before_close and is_won then cycle_days end) as avg_cycle_days_engaged,
        avg(case when not is_engaged_before_close and is_won then cycle_days end) as avg_cycle_days_not_engaged
    from opportunities
    where is_closed and close_date is not null
    group by currency, cast({{ dbt.date_trunc('month', 'close_date') }} as date)

),

months as (

    select
        month_start,
        currency
    from created
    union
    select
        month_start,
        currency
    from closed

),

joined as (

    select
        months.month_start,
        months.currency,
        closed.avg_cycle_days_engaged,
        closed.avg_cycle_days_not_engaged,
        cast(coalesce(created.opportunities_created, 0) as integer) as opportunities_created,
        cast(coalesce(created.pipeline_created_amount, 0) as decimal(18, 2)) as pipeline_created_amount,
        cast(coalesce(created.influenced_opportunities_created, 0) as integer) as influenced_opportunities_created,
        cast(coalesce(created.influenced_pipeline_amount, 0) as decimal(18, 2)) as influenced_pipeline_amount,
        cast(coalesce(closed.opportunities_closed, 0) as integer) as opportunities_closed,
        cast(coalesce(closed.won_opportunities, 0) as integer) as won_opportunities,
        cast(coalesce(closed.won_amount, 0) as decimal(18, 2)) as won_amount,
        cast(coalesce(closed.influenced_won_opportunities, 0) as integer) as influenced_won_opportunities,
        cast(coalesce(closed.influenced_won_amount, 0) as decimal(18, 2)) as influenced_won_amount,
        cast(coalesce(closed.engaged_closed, 0) as integer) as engaged_closed,
        cast(coalesce(closed.engaged_won, 0) as integer) as engaged_won,
        cast(coalesce(closed.not_engaged_closed, 0) as integer) as not_engaged_closed,
        cast(coalesce(closed.not_engaged_won, 0) as integer) as not_engaged_won
    from months
    left join created on months.month_start = created.month_start and months.currency = created.currency
    left join closed on months.month_start = closed.month_start and months.currency = closed.currency

),

final as (

    select
        *,
        1.0 * engaged_won / nullif(engaged_closed, 0) as win_rate_engaged,
        1.0 * not_engaged_won / nullif(not_engaged_closed, 0) as win_rate_not_engaged,
        1.0 * influenced_won_amount / nullif(won_amount, 0) as influenced_won_share
    from joined

)

select * from final

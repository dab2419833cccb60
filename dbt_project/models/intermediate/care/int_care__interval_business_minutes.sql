-- Calendar and business minutes of every care wait. Business minutes count only the time inside the opening hours
-- of open business days (int_calendar__business_hours).
with

intervals as (

    select * from {{ ref('int_care__response_intervals') }}

),

business_hours as (

    select * from {{ ref('int_calendar__business_hours') }}

),

business_overlaps as (

    select
        intervals.conversation_id,
        intervals.interval_kind,
        intervals.started_at,
        sum(
            {{ dbt.datediff(
                'greatest(intervals.started_at, business_hours.opens_at)',
                'least(intervals.ended_at, business_hours.closes_at)',
                'second'
            ) }}
        ) / 60.0 as business_minutes
    from intervals
    inner join business_hours
        on
            intervals.started_at < business_hours.closes_at
            and intervals.ended_at > business_hours.opens_at
    group by intervals.conversation_id, intervals.interval_kind, intervals.started_at

),

final as (

    select
        intervals.*,
        {{ dbt.datediff('intervals.started_at', 'intervals.ended_at', 'second') }} / 60.0 as calendar_minutes,  -- noqa: LT05
        coalesce(business_overlaps.business_minutes, 0) as business_minutes
    from intervals
    left join business_overlaps
        on
            intervals.conversation_id = business_overlaps.conversation_id
            and intervals.interval_kind = business_overlaps.interval_kind
            and intervals.started_at = business_overlaps.started_at

)

select * from final

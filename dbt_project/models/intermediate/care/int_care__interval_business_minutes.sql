-- Calendar and business minutes of every care wait. Business minutes count only the time inside the opening hours
-- of open business days (int_calendar__business_hours). Incremental: only waits that are new or changed (an open
-- wait ends at a new as-of time every run), or all of them when the opening hours or holidays change, are measured
-- again; the post-hook drops waits that no longer exist.
{{
    config(
        materialized='incremental',
        unique_key=['conversation_id', 'interval_kind', 'started_at'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} as held where not exists (select 1 from {{ ref('int_care__response_intervals') }} as intervals where intervals.conversation_id = held.conversation_id and intervals.interval_kind = held.interval_kind and intervals.started_at = held.started_at)"
    )
}}

with

all_intervals as (

    select * from {{ ref('int_care__response_intervals') }}

),

business_hours as (

    select * from {{ ref('int_calendar__business_hours') }}

),

opening_hours as (

    select * from {{ ref('business_hours') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

opening_hours_rows as (

    select string_agg(cast(opening_hours as varchar), '|' order by cast(opening_hours as varchar)) as seed_rows
    from opening_hours

),

holiday_rows as (

    select string_agg(cast(holidays as varchar), '|' order by cast(holidays as varchar)) as seed_rows
    from holidays

),

-- The calendar's inputs (its date range only grows to cover new waits, which changes no existing wait's minutes).
calendar as (

    select
        md5(
            coalesce(opening_hours_rows.seed_rows, '') || '#' || coalesce(holiday_rows.seed_rows, '')
        ) as calendar_version
    from opening_hours_rows
    cross join holiday_rows

),

versioned as (

    select
        all_intervals.*,
        calendar.calendar_version
    from all_intervals
    cross join calendar

),

intervals as (

    select * from versioned
    {%- if is_incremental() and built_with_column('calendar_version') %}
    except
    select
        conversation_id,
        interval_kind,
        started_at,
        answered_at,
        ended_at,
        is_open,
        calendar_version
    from {{ this }}
    {%- endif %}

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
        intervals.conversation_id,
        intervals.interval_kind,
        intervals.started_at,
        intervals.answered_at,
        intervals.ended_at,
        intervals.is_open,
        intervals.calendar_version,
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

-- One row per open business day across the care data, with its opening and closing instants in UTC.
with

conversations as (

    select * from {{ ref('int_care__conversations') }}

),

business_hours as (

    select * from {{ ref('business_hours') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

bounds as (

    select
        min(cast(opened_at as date)) - 1 as first_day,
        max(cast(last_activity_at as date)) + 31 as last_day
    from conversations

),

days as (

    {{ date_series('(select first_day from bounds)', '(select last_day from bounds)') }}

),

final as (

    select
        days.calendar_date,
        {{ utc_from_local("cast(days.calendar_date as varchar) || ' ' || business_hours.opens_at",
            var('business_time_zone')) }} as opens_at,
        {{ utc_from_local("cast(days.calendar_date as varchar) || ' ' || business_hours.closes_at",
            var('business_time_zone')) }} as closes_at
    from days
    inner join business_hours on extract(isodow from days.calendar_date) = business_hours.iso_day_of_week
    left join holidays on days.calendar_date = holidays.holiday_date
    where holidays.holiday_date is null

)

select * from final

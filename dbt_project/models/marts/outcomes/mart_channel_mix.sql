-- Month x channel group x segment: where customer-side interactions happen, and the share each channel takes of the
-- segment's month and of the whole month.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

counted as (

    select
        channel_group,
        segment,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month_start,
        count(*) as interactions
    from interactions
    where direction = 'inbound'
    group by channel_group, segment, cast({{ dbt.date_trunc('month', 'occurred_at') }} as date)

),

final as (

    select
        *,
        1.0 * interactions / sum(interactions) over (partition by month_start, segment) as share_of_segment,
        1.0 * interactions / sum(interactions) over (partition by month_start) as share_of_month
    from counted

)

select * from final

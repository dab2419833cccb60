-- Month x care channel: contacts handled, what they cost (seed channel_costs), cost per resolution, and what solving
-- on social instead of by phone saved.
with

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

channel_costs as (

    select * from {{ ref('channel_costs') }}

),

phone_rate as (

    select cost_per_contact as phone_cost_per_contact
    from channel_costs
    where channel = 'voice'

),

monthly as (

    select
        channel,
        cast({{ dbt.date_trunc('month', 'opened_at') }} as date) as month_start,
        count(*) as contacts,
        count(case when is_resolved then 1 end) as resolved_contacts
    from conversations
    group by channel, cast({{ dbt.date_trunc('month', 'opened_at') }} as date)

),

final as (

    select
        monthly.month_start,
        monthly.channel,
        monthly.contacts,
        monthly.resolved_contacts,
        channel_costs.cost_per_contact,
        channel_costs.currency,
        cast(monthly.contacts * channel_costs.cost_per_contact as decimal(18, 2)) as total_cost,
        cast(
            monthly.contacts * channel_costs.cost_per_contact / nullif(monthly.resolved_contacts, 0) as decimal(18, 2)
        ) as cost_per_resolution,
        cast(case
            when monthly.channel in ('x_mention', 'x_dm', 'community')
                then monthly.resolved_contacts * (phone_rate.phone_cost_per_contact - channel_costs.cost_per_contact)
            else 0
        end as decimal(18, 2)) as saving_vs_phone
    from monthly
    left join channel_costs on monthly.channel = channel_costs.channel
    cross join phone_rate

)

select * from final

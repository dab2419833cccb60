{{ config(enabled=fivetran_enabled('ga4')) }}

-- GA4 events of the types in var `ga4_touchpoint_events` are web touchpoints (DECISIONLOG "GA4"): visits, sign-ups,
-- leads and the e-commerce funnel, not scrolls, engagement pings or video progress. GA4 knows a browser, not a
-- person: `user_id` is the site's own login id, so it names the contact only when the site uses the email address.
{%- set touchpoint_events = var('ga4_touchpoint_events') %}

with

events as (

    select * from {{ ref('stg_fivetran_ga4__events') }}

),

final as (

    select
        event_id as touchpoint_id,
        event_name as touchpoint_type,
        occurred_at,
        'ga4' as source_system,
        'web' as channel,
        cast(null as varchar) as contact_key,
        cast(null as varchar) as account_key,
        case when user_id like '%_@_%._%' then lower(user_id) end as contact_email,
        coalesce(page_location, nullif(concat_ws(' / ', traffic_source, traffic_medium), '')) as detail,
        case when purchase_revenue_usd <> 0 then purchase_revenue_usd end as amount,
        case when purchase_revenue_usd <> 0 then 'USD' end as currency
    from events
    where event_name in (
        {%- for event in touchpoint_events %}
            '{{ event }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )

)

select * from final

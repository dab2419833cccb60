-- Every recorded step of a customer journey outside support conversations: web and app events, marketing email,
-- calls, e-commerce orders, and marketing leads.
with

file_drops as (

    select * from {{ ref('stg_file_drops__touchpoints') }}

),

segment_events as (

    select * from {{ ref('stg_segment__events') }}

),

email_events as (

    select * from {{ ref('stg_email__events') }}

),

calls as (

    select * from {{ ref('stg_call_center__calls') }}

),

olist_orders as (

    select * from {{ ref('stg_olist__orders') }}

),

olist_customers as (

    select * from {{ ref('stg_olist__customers') }}

),

olist_payments as (

    select * from {{ ref('stg_olist__order_payments') }}

),

olist_leads as (

    select * from {{ ref('stg_olist_marketing__qualified_leads') }}

),

olist_deals as (

    select * from {{ ref('stg_olist_marketing__closed_deals') }}

),

from_segment as (

    select
        'segment' as source_system,
        message_id as touchpoint_id,
        'crm:' || contact_id as contact_key,
        email as contact_email,
        cast(null as varchar) as account_key,
        'web' as channel,
        coalesce(event_name, event_type) as touchpoint_type,
        campaign_source as detail,
        occurred_at,
        cast(null as decimal(18, 2)) as amount,
        cast(null as varchar) as currency
    from segment_events

),

from_email as (

    select
        'email' as source_system,
        email_event_id as touchpoint_id,
        cast(null as varchar) as contact_key,
        email as contact_email,
        cast(null as varchar) as account_key,
        'email' as channel,
        'email_' || event_type as touchpoint_type,
        clicked_url as detail,
        occurred_at,
        cast(null as decimal(18, 2)) as amount,
        cast(null as varchar) as currency
    from email_events

),

from_calls as (

    select
        'call_center' as source_system,
        call_id as touchpoint_id,
        cast(null as varchar) as contact_key,
        contact_email,
        cast(null as varchar) as account_key,
        'voice' as channel,
        direction || '_call' as touchpoint_type,
        disposition as detail,
        started_at as occurred_at,
        cast(null as decimal(18, 2)) as amount,
        cast(null as varchar) as currency
    from calls

),

order_payments as (

    select
        order_id,
        sum(payment_value) as paid
    from olist_payments
    group by order_id

),

from_olist_orders as (

    select
        'olist' as source_system,
        'order:' || olist_orders.order_id as touchpoint_id,
        'olist:' || olist_customers.customer_unique_id as contact_key,
        cast(null as varchar) as contact_email,
        cast(null as varchar) as account_key,
        'web' as channel,
        'order' as touchpoint_type,
        olist_orders.order_status as detail,
        olist_orders.purchased_at as occurred_at,
        order_payments.paid as amount,
        'BRL' as currency
    from olist_orders
    left join olist_customers on olist_orders.customer_id = olist_customers.customer_id
    left join order_payments on olist_orders.order_id = order_payments.order_id

),

-- A marketing lead's first contact, on the account it became when the deal closed.
from_olist_leads as (

    select
        'olist_marketing' as source_system,
        'lead:' || olist_leads.mql_id as touchpoint_id,
        cast(null as varchar) as contact_key,
        cast(null as varchar) as contact_email,
        'olist:' || olist_deals.seller_id as account_key,
        'web' as channel,
        'marketing_qualified_lead' as touchpoint_type,
        olist_leads.origin_channel as detail,
        cast(olist_leads.first_contact_date as timestamp) as occurred_at,
        cast(null as decimal(18, 2)) as amount,
        cast(null as varchar) as currency
    from olist_leads
    left join olist_deals on olist_leads.mql_id = olist_deals.mql_id

),

unioned as (

    select * from from_segment
    union all by name
    select * from from_email
    union all by name
    select * from from_calls
    union all by name
    select * from from_olist_orders
    union all by name
    select * from from_olist_leads
    union all by name
    select * from file_drops
    {{ fivetran_union('touchpoints') }}

),

final as (

    select
        *,
        source_system || ':' || touchpoint_id as touchpoint_key
    from unioned

)

select * from final

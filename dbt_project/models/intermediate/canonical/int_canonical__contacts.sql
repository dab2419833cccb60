-- People the business knows by name or id: CRM contacts and e-commerce customers.
with

file_drops as (

    select * from {{ ref('stg_file_drops__contacts') }}

),

crm_contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

olist_customers as (

    select * from {{ ref('stg_olist__customers') }}

),

olist_orders as (

    select * from {{ ref('stg_olist__orders') }}

),

from_crm as (

    select
        'crm' as source_system,
        contact_id,
        'crm:' || account_id as account_key,
        lower(email) as email,
        twitter_handle as social_handle,
        concat_ws(' ', first_name, last_name) as full_name,
        cast(null as varchar) as city,
        cast(null as varchar) as region,
        created_at
    from crm_contacts

),

-- Olist writes a new customer id per order; the person is `customer_unique_id`. Their place is where they last
-- ordered to, and they became a contact with their first order.
olist_people as (

    select
        olist_customers.customer_unique_id,
        arg_max(olist_customers.city, olist_orders.purchased_at) as city,
        arg_max(olist_customers.state, olist_orders.purchased_at) as region,
        min(olist_orders.purchased_at) as first_order_at
    from olist_customers
    left join olist_orders on olist_customers.customer_id = olist_orders.customer_id
    group by olist_customers.customer_unique_id

),

from_olist as (

    select
        'olist' as source_system,
        customer_unique_id as contact_id,
        cast(null as varchar) as account_key,
        cast(null as varchar) as email,
        cast(null as varchar) as social_handle,
        cast(null as varchar) as full_name,
        city,
        region,
        first_order_at as created_at
    from olist_people

),

unioned as (

    select * from from_crm
    union all by name
    select * from from_olist
    union all by name
    select * from file_drops
    {{ fivetran_union('contacts') }}

),

final as (

    select
        *,
        source_system || ':' || contact_id as contact_key
    from unioned

)

select * from final

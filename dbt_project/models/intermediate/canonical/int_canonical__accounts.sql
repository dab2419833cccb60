-- Every source's accounts (the companies that buy) in one shape. Keys carry the source system, so ids from
-- different systems never collide.
with

file_drops as (

    select * from {{ ref('stg_file_drops__accounts') }}

),

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

maven_accounts as (

    select * from {{ ref('stg_maven_crm__accounts') }}

),

olist_sellers as (

    select * from {{ ref('stg_olist__sellers') }}

),

olist_deals as (

    select * from {{ ref('stg_olist_marketing__closed_deals') }}

),

from_crm as (

    select
        'crm' as source_system,
        account_id,
        account_name,
        industry,
        annual_revenue,
        'USD' as currency,
        number_of_employees as employee_count,
        billing_country as country,
        created_at
    from crm_accounts

),

from_maven as (

    select
        'maven_crm' as source_system,
        account_name as account_id,
        account_name,
        sector as industry,
        annual_revenue_musd * 1000000 as annual_revenue,
        'USD' as currency,
        employee_count,
        office_location as country,
        cast(null as timestamp) as created_at
    from maven_accounts

),

-- Olist's business customers are its marketplace sellers: those in the sellers export and those won through the
-- marketing funnel (with a segment and a declared revenue), which may not have sold yet.
from_olist as (

    select
        'olist' as source_system,
        coalesce(olist_sellers.seller_id, olist_deals.seller_id) as account_id,
        cast(null as varchar) as account_name,
        olist_deals.business_segment as industry,
        nullif(olist_deals.declared_monthly_revenue, 0) * 12 as annual_revenue,
        'BRL' as currency,
        cast(null as integer) as employee_count,
        'Brazil' as country,
        olist_deals.won_at as created_at
    from olist_sellers
    full outer join olist_deals on olist_sellers.seller_id = olist_deals.seller_id

),

unioned as (

    select * from from_crm
    union all by name
    select * from from_maven
    union all by name
    select * from from_olist
    union all by name
    select * from file_drops
    {{ fivetran_union('accounts') }}

),

final as (

    select
        *,
        source_system || ':' || account_id as account_key
    from unioned

)

select * from final

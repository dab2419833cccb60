-- Every source's sales opportunities in one shape: what was sold (or is being sold) to which account, for how much.
with

file_drops as (

    select * from {{ ref('stg_file_drops__opportunities') }}

),

crm_opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

maven_pipeline as (

    select * from {{ ref('stg_maven_crm__sales_pipeline') }}

),

maven_products as (

    select * from {{ ref('stg_maven_crm__products') }}

),

olist_deals as (

    select * from {{ ref('stg_olist_marketing__closed_deals') }}

),

olist_leads as (

    select * from {{ ref('stg_olist_marketing__qualified_leads') }}

),

from_crm as (

    select
        'crm' as source_system,
        opportunity_id,
        'crm:' || account_id as account_key,
        'crm:' || contact_id as contact_key,
        stage_name,
        amount,
        'USD' as currency,
        created_at,
        close_date,
        is_closed,
        is_won,
        lead_source,
        cast(null as varchar) as product_name
    from crm_opportunities

),

-- Maven records a value only once a deal closes; an open deal is worth its product's list price until then.
from_maven as (

    select
        'maven_crm' as source_system,
        maven_pipeline.opportunity_id,
        'maven_crm:' || maven_pipeline.account_name as account_key,
        cast(null as varchar) as contact_key,
        maven_pipeline.deal_stage as stage_name,
        case
            when maven_pipeline.deal_stage in ('Won', 'Lost') then maven_pipeline.close_value
            else maven_products.list_price
        end as amount,
        'USD' as currency,
        cast(maven_pipeline.engage_date as timestamp) as created_at,
        maven_pipeline.close_date,
        maven_pipeline.deal_stage in ('Won', 'Lost') as is_closed,
        maven_pipeline.deal_stage = 'Won' as is_won,
        cast(null as varchar) as lead_source,
        coalesce(maven_products.product_name, maven_pipeline.product_name) as product_name
    from maven_pipeline
    left join maven_products on maven_pipeline.product_key = maven_products.product_key

),

-- An Olist deal is a lead that signed as a seller: won, opened at the lead's first contact, worth a year of the
-- revenue the seller declared.
from_olist as (

    select
        'olist' as source_system,
        olist_deals.mql_id as opportunity_id,
        'olist:' || olist_deals.seller_id as account_key,
        cast(null as varchar) as contact_key,
        'Won' as stage_name,
        nullif(olist_deals.declared_monthly_revenue, 0) * 12 as amount,
        'BRL' as currency,
        cast(olist_leads.first_contact_date as timestamp) as created_at,
        cast(olist_deals.won_at as date) as close_date,
        true as is_closed,
        true as is_won,
        olist_leads.origin_channel as lead_source,
        olist_deals.business_segment as product_name
    from olist_deals
    left join olist_leads on olist_deals.mql_id = olist_leads.mql_id

),

unioned as (

    select * from from_crm
    union all by name
    select * from from_maven
    union all by name
    select * from from_olist
    union all by name
    select * from file_drops
    {{ fivetran_union('opportunities') }}

),

final as (

    select
        *,
        source_system || ':' || opportunity_id as opportunity_key
    from unioned

)

select * from final

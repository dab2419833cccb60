{{ config(enabled=fivetran_enabled('salesforce')) }}
-- Salesforce opportunities. The account is kept only when it is a live account: an opportunity of a deleted
-- account keeps its amount but points at no account.
with

opportunities as (

    select * from {{ ref('stg_fivetran_salesforce__opportunities') }}

),

accounts as (

    select * from {{ ref('stg_fivetran_salesforce__accounts') }}

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.created_at,
        opportunities.close_date,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.lead_source,
        'salesforce' as source_system,
        cast(null as varchar) as product_name,
        'salesforce:' || accounts.account_id as account_key,
        'salesforce:' || opportunities.contact_id as contact_key,
        coalesce(opportunities.currency, 'USD') as currency
    from opportunities
    left join accounts on opportunities.account_id = accounts.account_id

)

select * from final

{{ config(enabled=fivetran_enabled('hubspot')) }}
-- HubSpot deals with their pipeline stage. A deal's account and contact are its first associated live company and
-- contact (lowest id): an association to a deleted record is dropped rather than pointing at nothing.
with

deals as (

    select * from {{ ref('stg_fivetran_hubspot__deals') }}

),

stages as (

    select * from {{ ref('stg_fivetran_hubspot__deal_stages') }}

),

associations as (

    select * from {{ ref('stg_fivetran_hubspot__deal_associations') }}

),

companies as (

    select * from {{ ref('stg_fivetran_hubspot__companies') }}

),

contacts as (

    select * from {{ ref('stg_fivetran_hubspot__contacts') }}

),

first_company as (

    select
        associations.deal_id,
        min(companies.company_id) as company_id
    from associations
    inner join companies on associations.object_id = companies.company_id
    where associations.object_type = 'company'
    group by associations.deal_id

),

first_contact as (

    select
        associations.deal_id,
        min(contacts.contact_id) as contact_id
    from associations
    inner join contacts on associations.object_id = contacts.contact_id
    where associations.object_type = 'contact'
    group by associations.deal_id

),

final as (

    select
        deals.deal_id as opportunity_id,
        deals.amount,
        deals.created_at,
        deals.close_date,
        deals.lead_source,
        'hubspot' as source_system,
        cast(null as varchar) as product_name,
        'hubspot:' || first_company.company_id as account_key,
        'hubspot:' || first_contact.contact_id as contact_key,
        -- A deal outside any known stage keeps its stage id, so it is never silently unnamed.
        coalesce(stages.stage_name, deals.stage_id, 'unknown') as stage_name,
        coalesce(deals.currency, 'USD') as currency,
        coalesce(stages.is_closed, false) as is_closed,
        coalesce(stages.is_won, false) as is_won
    from deals
    left join stages on deals.stage_id = stages.stage_id
    left join first_company on deals.deal_id = first_company.deal_id
    left join first_contact on deals.deal_id = first_contact.deal_id

)

select * from final

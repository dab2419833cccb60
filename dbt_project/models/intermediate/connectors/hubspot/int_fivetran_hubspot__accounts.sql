{{ config(enabled=fivetran_enabled('hubspot')) }}
-- HubSpot companies as accounts. HubSpot keeps company revenue in the portal's company currency, which the
-- connector does not carry per record: taken as USD.
with

companies as (

    select * from {{ ref('stg_fivetran_hubspot__companies') }}

),

final as (

    select
        company_id as account_id,
        company_name as account_name,
        industry,
        annual_revenue,
        employee_count,
        country,
        created_at,
        'hubspot' as source_system,
        'USD' as currency
    from companies

)

select * from final

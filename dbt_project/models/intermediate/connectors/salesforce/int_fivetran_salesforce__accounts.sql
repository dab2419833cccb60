{{ config(enabled=fivetran_enabled('salesforce')) }}
-- Salesforce accounts; amounts in the record's currency with multi-currency, the org's (taken as USD) without.
with

accounts as (

    select * from {{ ref('stg_fivetran_salesforce__accounts') }}

),

final as (

    select
        account_id,
        account_name,
        industry,
        annual_revenue,
        employee_count,
        country,
        created_at,
        'salesforce' as source_system,
        coalesce(currency, 'USD') as currency
    from accounts

)

select * from final

{{ config(enabled=fivetran_enabled('intercom')) }}

with

companies as (

    select * from {{ ref('stg_fivetran_intercom__companies') }}

),

final as (

    select
        company_id as account_id,
        company_name as account_name,
        industry,
        employee_count,
        created_at,
        'intercom' as source_system,
        cast(null as decimal(18, 2)) as annual_revenue,
        cast(null as varchar) as currency,
        cast(null as varchar) as country
    from companies

)

select * from final

{{ config(enabled=fivetran_enabled('zendesk')) }}

with

organizations as (

    select * from {{ ref('stg_fivetran_zendesk__organizations') }}

),

final as (

    select
        'zendesk' as source_system,
        organization_id as account_id,
        organization_name as account_name,
        cast(null as varchar) as industry,
        cast(null as decimal(18, 2)) as annual_revenue,
        cast(null as varchar) as currency,
        cast(null as bigint) as employee_count,
        cast(null as varchar) as country,
        created_at
    from organizations

)

select * from final

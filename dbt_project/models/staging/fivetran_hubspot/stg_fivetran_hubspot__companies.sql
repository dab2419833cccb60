{{ config(enabled=fivetran_enabled('hubspot')) }}
{%- set columns = fivetran_columns(source('fivetran_hubspot', 'company')) -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = fivetran_optional_columns(columns, [
    ('property_name', 'varchar'),
    ('property_industry', 'varchar'),
    ('property_annualrevenue', 'decimal(18, 2)'),
    ('property_numberofemployees', 'bigint'),
    ('property_country', 'varchar')
]) %}
{#- Deleted: HubSpot's own is_deleted or gone at the source (_fivetran_deleted), whichever the schema has. -#}
{%- set live = fivetran_live_conditions(columns) -%}

with

source as (

    select * from {{ source('fivetran_hubspot', 'company') }}

),

renamed as (

    select
        cast(id as varchar) as company_id,
        {{ optional['property_name'] }} as company_name,
        {{ optional['property_industry'] }} as industry,
        {{ optional['property_annualrevenue'] }} as annual_revenue,
        {{ optional['property_numberofemployees'] }} as employee_count,
        {{ optional['property_country'] }} as country,
        {{ utc_timestamp('cast(property_createdate as varchar)', strict=false) }} as created_at,
        {{ utc_timestamp('cast(_fivetran_synced as varchar)', strict=false) }} as synced_at
    from source
    where {{ live | join('\n        and ') }}

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by company_id order by synced_at desc) = 1

)

select * from final

{{ config(enabled=fivetran_enabled('hubspot')) }}
{%- set columns = adapter.get_columns_in_relation(source('fivetran_hubspot', 'company'))
    | map(attribute='name') | map('lower') | list if execute else [] -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = {} -%}
{%- for column, type in [
    ('property_name', 'varchar'),
    ('property_industry', 'varchar'),
    ('property_annualrevenue', 'decimal(18, 2)'),
    ('property_numberofemployees', 'bigint'),
    ('property_country', 'varchar')
] -%}
    {%- do optional.update({column: 'cast(' ~ (column if column in columns else 'null') ~ ' as ' ~ type ~ ')'}) -%}
{%- endfor %}
{#- Deleted: HubSpot's own is_deleted or gone at the source (_fivetran_deleted), whichever the schema has. -#}
{%- set live = ['true'] -%}
{%- for flag in ['is_deleted', '_fivetran_deleted'] if flag in columns -%}
    {%- do live.append('not coalesce(cast(' ~ flag ~ ' as boolean), false)') -%}
{%- endfor %}

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

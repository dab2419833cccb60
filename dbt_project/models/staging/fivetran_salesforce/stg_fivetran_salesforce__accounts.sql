{{ config(enabled=fivetran_enabled('salesforce')) }}
{%- set columns = fivetran_columns(source('fivetran_salesforce', 'account')) -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = fivetran_optional_columns(columns, [
    ('industry', 'varchar'),
    ('annual_revenue', 'decimal(18, 2)'),
    ('currency_iso_code', 'varchar'),
    ('number_of_employees', 'bigint'),
    ('billing_country', 'varchar'),
    ('created_date', 'varchar'),
    ('_fivetran_synced', 'timestamp')
]) %}
{#- Deleted: in the recycle bin (is_deleted) or gone at the source (_fivetran_deleted); with history mode only the
    active version counts. -#}
{%- set live = fivetran_live_conditions(columns) -%}

with

source as (

    select * from {{ source('fivetran_salesforce', 'account') }}

),

renamed as (

    select
        cast(id as varchar) as account_id,
        cast(name as varchar) as account_name,
        {{ optional['industry'] }} as industry,
        {{ optional['annual_revenue'] }} as annual_revenue,
        {{ optional['currency_iso_code'] }} as currency,
        {{ optional['number_of_employees'] }} as employee_count,
        {{ optional['billing_country'] }} as country,
        {{ utc_timestamp(optional['created_date'], strict=false) }} as created_at,
        {{ optional['_fivetran_synced'] }} as synced_at
    from source
    where {{ live | join('\n        and ') }}

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by account_id order by synced_at desc) = 1

)

select * from final

{{ config(enabled=fivetran_enabled('hubspot')) }}
{%- set columns = fivetran_columns(source('fivetran_hubspot', 'deal')) -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = fivetran_optional_columns(columns, [
    ('property_dealname', 'varchar'),
    ('property_amount', 'decimal(18, 2)'),
    ('property_deal_currency_code', 'varchar'),
    ('property_hs_analytics_source', 'varchar'),
    ('_fivetran_synced', 'timestamp')
]) %}
{#- Deleted: HubSpot's own is_deleted or gone at the source (_fivetran_deleted), whichever the schema has. -#}
{%- set live = fivetran_live_conditions(columns) -%}

with

source as (

    select * from {{ source('fivetran_hubspot', 'deal') }}

),

renamed as (

    select
        cast(deal_id as varchar) as deal_id,
        {{ optional['property_dealname'] }} as deal_name,
        cast(deal_pipeline_id as varchar) as pipeline_id,
        cast(deal_pipeline_stage_id as varchar) as stage_id,
        {{ optional['property_amount'] }} as amount,
        {{ optional['property_deal_currency_code'] }} as currency,
        cast({{ utc_timestamp('cast(property_closedate as varchar)', strict=false) }} as date) as close_date,
        {{ utc_timestamp('cast(property_createdate as varchar)', strict=false) }} as created_at,
        {{ optional['property_hs_analytics_source'] }} as lead_source,
        {{ optional['_fivetran_synced'] }} as synced_at
    from source
    where {{ live | join('\n        and ') }}

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by deal_id order by synced_at desc) = 1

)

select * from final

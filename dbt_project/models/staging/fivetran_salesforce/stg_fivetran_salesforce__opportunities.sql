{{ config(enabled=fivetran_enabled('salesforce')) }}
{%- set columns = fivetran_columns(source('fivetran_salesforce', 'opportunity')) -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = fivetran_optional_columns(columns, [
    ('account_id', 'varchar'),
    ('contact_id', 'varchar'),
    ('amount', 'decimal(18, 2)'),
    ('currency_iso_code', 'varchar'),
    ('created_date', 'varchar'),
    ('close_date', 'varchar'),
    ('lead_source', 'varchar'),
    ('_fivetran_synced', 'timestamp')
]) %}
{#- Deleted: in the recycle bin (is_deleted) or gone at the source (_fivetran_deleted); with history mode only the
    active version counts. -#}
{%- set live = fivetran_live_conditions(columns) -%}

with

source as (

    select * from {{ source('fivetran_salesforce', 'opportunity') }}

),

renamed as (

    select
        cast(id as varchar) as opportunity_id,
        {{ optional['account_id'] }} as account_id,
        {{ optional['contact_id'] }} as contact_id,
        cast(stage_name as varchar) as stage_name,
        {{ optional['amount'] }} as amount,
        {{ optional['currency_iso_code'] }} as currency,
        {{ utc_timestamp(optional['created_date'], strict=false) }} as created_at,
        cast({{ utc_timestamp(optional['close_date'], strict=false) }} as date) as close_date,
        coalesce(cast(is_closed as boolean), false) as is_closed,
        coalesce(cast(is_won as boolean), false) as is_won,
        {{ optional['lead_source'] }} as lead_source,
        {{ optional['_fivetran_synced'] }} as synced_at
    from source
    where {{ live | join('\n        and ') }}

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by opportunity_id order by synced_at desc) = 1

)

select * from final

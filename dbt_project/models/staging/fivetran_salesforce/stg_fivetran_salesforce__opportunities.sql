{{ config(enabled=fivetran_enabled('salesforce')) }}
{%- set columns = adapter.get_columns_in_relation(source('fivetran_salesforce', 'opportunity'))
    | map(attribute='name') | map('lower') | list if execute else [] -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = {} -%}
{%- for column, type in [
    ('account_id', 'varchar'),
    ('contact_id', 'varchar'),
    ('amount', 'decimal(18, 2)'),
    ('currency_iso_code', 'varchar'),
    ('created_date', 'varchar'),
    ('close_date', 'varchar'),
    ('lead_source', 'varchar'),
    ('_fivetran_synced', 'timestamp')
] -%}
    {%- do optional.update({column: 'cast(' ~ (column if column in columns else 'null') ~ ' as ' ~ type ~ ')'}) -%}
{%- endfor %}
{#- Deleted: in the recycle bin (is_deleted) or gone at the source (_fivetran_deleted); with history mode only the
    active version counts. -#}
{%- set live = ['true'] -%}
{%- for flag in ['is_deleted', '_fivetran_deleted'] if flag in columns -%}
    {%- do live.append('not coalesce(cast(' ~ flag ~ ' as boolean), false)') -%}
{%- endfor -%}
{%- if '_fivetran_active' in columns -%}
    {%- do live.append('coalesce(cast(_fivetran_active as boolean), true)') -%}
{%- endif -%}

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

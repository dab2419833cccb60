{{ config(enabled=fivetran_enabled('salesforce')) }}
{%- set columns = fivetran_columns(source('fivetran_salesforce', 'task')) -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = fivetran_optional_columns(columns, [
    ('who_id', 'varchar'),
    ('what_id', 'varchar'),
    ('account_id', 'varchar'),
    ('task_subtype', 'varchar'),
    ('type', 'varchar'),
    ('call_type', 'varchar'),
    ('subject', 'varchar'),
    ('activity_date', 'varchar'),
    ('created_date', 'varchar'),
    ('_fivetran_synced', 'timestamp')
]) %}
{#- Deleted: in the recycle bin (is_deleted) or gone at the source (_fivetran_deleted); with history mode only the
    active version counts. -#}
{%- set live = fivetran_live_conditions(columns) -%}

with

source as (

    select * from {{ source('fivetran_salesforce', 'task') }}

),

renamed as (

    select
        cast(id as varchar) as task_id,
        {{ optional['who_id'] }} as who_id,
        {{ optional['what_id'] }} as what_id,
        {{ optional['account_id'] }} as account_id,
        nullif(trim({{ optional['task_subtype'] }}), '') as task_subtype,
        nullif(trim({{ optional['type'] }}), '') as task_type,
        lower(nullif(trim({{ optional['call_type'] }}), '')) as call_type,
        {{ optional['subject'] }} as subject,
        coalesce(
            {{ utc_timestamp(optional['activity_date'], strict=false) }},
            {{ utc_timestamp(optional['created_date'], strict=false) }}
        ) as occurred_at,
        {{ optional['_fivetran_synced'] }} as synced_at
    from source
    where {{ live | join('\n        and ') }}

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by task_id order by synced_at desc) = 1

)

select * from final

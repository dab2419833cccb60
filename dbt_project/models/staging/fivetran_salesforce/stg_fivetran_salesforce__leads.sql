{{ config(enabled=fivetran_enabled('salesforce')) }}
{#- The connector may not sync leads: without the table there are none. -#}
{%- set lead_relation = load_relation(source('fivetran_salesforce', 'lead')) if execute else none -%}
{%- set columns = fivetran_columns(lead_relation) if lead_relation is not none else [] -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = fivetran_optional_columns(columns, [
    ('email', 'varchar'),
    ('name', 'varchar'),
    ('first_name', 'varchar'),
    ('last_name', 'varchar'),
    ('city', 'varchar'),
    ('state', 'varchar'),
    ('is_converted', 'boolean'),
    ('created_date', 'varchar'),
    ('_fivetran_synced', 'timestamp')
]) %}
{#- Deleted: in the recycle bin (is_deleted) or gone at the source (_fivetran_deleted); with history mode only the
    active version counts. -#}
{%- set live = fivetran_live_conditions(columns) -%}

with

source as (

    {%- if lead_relation is not none or not execute %}
        select * from {{ source('fivetran_salesforce', 'lead') }}
    {%- else %}
        select cast(null as varchar) as id
        where false
    {%- endif %}

),

renamed as (

    select
        cast(id as varchar) as lead_id,
        lower(nullif(trim({{ optional['email'] }}), '')) as email,
        coalesce(
            {{ optional['name'] }},
            nullif(concat_ws(' ', {{ optional['first_name'] }}, {{ optional['last_name'] }}), '')
        ) as full_name,
        {{ optional['city'] }} as city,
        {{ optional['state'] }} as region,
        coalesce({{ optional['is_converted'] }}, false) as is_converted,
        {{ utc_timestamp(optional['created_date'], strict=false) }} as created_at,
        {{ optional['_fivetran_synced'] }} as synced_at
    from source
    where {{ live | join('\n        and ') }}

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by lead_id order by synced_at desc) = 1

)

select * from final

{{ config(enabled=fivetran_enabled('salesforce')) }}
{%- set columns = fivetran_columns(source('fivetran_salesforce', 'contact')) -%}
{#- Columns that not every connector schema has (optional properties and fields): null when absent. -#}
{%- set optional = fivetran_optional_columns(columns, [
    ('account_id', 'varchar'),
    ('email', 'varchar'),
    ('name', 'varchar'),
    ('first_name', 'varchar'),
    ('last_name', 'varchar'),
    ('mailing_city', 'varchar'),
    ('mailing_state', 'varchar'),
    ('created_date', 'varchar'),
    ('_fivetran_synced', 'timestamp')
]) %}
{#- Deleted: in the recycle bin (is_deleted) or gone at the source (_fivetran_deleted); with history mode only the
    active version counts. -#}
{%- set live = fivetran_live_conditions(columns) -%}

with

source as (

    select * from {{ source('fivetran_salesforce', 'contact') }}

),

renamed as (

    select
        cast(id as varchar) as contact_id,
        {{ optional['account_id'] }} as account_id,
        lower(nullif(trim({{ optional['email'] }}), '')) as email,
        coalesce(
            {{ optional['name'] }},
            nullif(concat_ws(' ', {{ optional['first_name'] }}, {{ optional['last_name'] }}), '')
        ) as full_name,
        {{ optional['mailing_city'] }} as city,
        {{ optional['mailing_state'] }} as region,
        {{ utc_timestamp(optional['created_date'], strict=false) }} as created_at,
        {{ optional['_fivetran_synced'] }} as synced_at
    from source
    where {{ live | join('\n        and ') }}

),

final as (

    select * exclude (synced_at)
    from renamed
    qualify row_number() over (partition by contact_id order by synced_at desc) = 1

)

select * from final

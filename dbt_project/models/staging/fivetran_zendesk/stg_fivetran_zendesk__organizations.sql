{{ config(enabled=fivetran_enabled('zendesk')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_zendesk', 'organization')) -%}
{%- endif %}

with

source as (

    select * from {{ source('fivetran_zendesk', 'organization') }}

),

renamed as (

    select
        cast(id as varchar) as organization_id,
        name as organization_name,
        {{ utc_timestamp('cast(created_at as varchar)') }} as created_at
    from source
    {%- if '_fivetran_deleted' in columns %}
    where not coalesce(cast(_fivetran_deleted as boolean), false)
    {%- endif %}

)

select * from renamed

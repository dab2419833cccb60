{{ config(enabled=fivetran_enabled('zendesk')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = adapter.get_columns_in_relation(source('fivetran_zendesk', 'organization'))
        | map(attribute='name') | map('lower') | list -%}
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

{{ config(enabled=fivetran_enabled('zendesk')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_zendesk', 'group')) -%}
{%- endif %}

with

source as (

    select * from {{ source('fivetran_zendesk', 'group') }}

),

renamed as (

    select
        cast(id as varchar) as group_id,
        name as team_name
    from source
    {%- if '_fivetran_deleted' in columns %}
    where not coalesce(cast(_fivetran_deleted as boolean), false)
    {%- endif %}

)

select * from renamed

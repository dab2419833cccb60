{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_intercom', 'team_admin')) -%}
{%- endif %}

with

source as (

    select * from {{ source('fivetran_intercom', 'team_admin') }}

),

renamed as (

    select distinct
        cast(team_id as varchar) as team_id,
        cast(admin_id as varchar) as admin_id
    from source
    {%- if '_fivetran_deleted' in columns %}
    where not coalesce(cast(_fivetran_deleted as boolean), false)
    {%- endif %}

)

select * from renamed

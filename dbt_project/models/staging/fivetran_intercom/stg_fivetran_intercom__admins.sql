{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_intercom', 'admin')) -%}
{%- endif %}

with

source as (

    select * from {{ source('fivetran_intercom', 'admin') }}

),

renamed as (

    select
        name as full_name,
        cast(id as varchar) as admin_id,
        lower(trim(email)) as email
    from source
    {%- if '_fivetran_deleted' in columns %}
    where not coalesce(cast(_fivetran_deleted as boolean), false)
    {%- endif %}

)

select * from renamed

{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = adapter.get_columns_in_relation(source('fivetran_intercom', 'admin'))
        | map(attribute='name') | map('lower') | list -%}
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

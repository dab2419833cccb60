{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_intercom', 'company_history')) -%}
{%- endif %}
{%- set deleted = 'cast(_fivetran_deleted as boolean)' if '_fivetran_deleted' in columns else 'false' %}
{#- History mode: the last version of a deleted record is no longer active. #}
{%- set active = 'cast(_fivetran_active as boolean)' if '_fivetran_active' in columns else 'true' %}

-- The latest version of each company.
with

source as (

    select * from {{ source('fivetran_intercom', 'company_history') }}

),

latest as (

    select *
    from source
    qualify row_number() over (partition by id order by updated_at desc, _fivetran_synced desc) = 1

),

renamed as (

    select
        cast(id as varchar) as company_id,
        name as company_name,
        industry,
        -- Intercom `size`: the company's number of employees, when set.
        try_cast(size as bigint) as employee_count,
        {{ utc_timestamp('cast(created_at as varchar)') }} as created_at
    from latest
    where not coalesce({{ deleted }}, false) and coalesce({{ active }}, true)

)

select * from renamed

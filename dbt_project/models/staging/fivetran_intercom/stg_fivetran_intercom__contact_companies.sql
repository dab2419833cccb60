{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_intercom', 'contact_company_history')) -%}
{%- endif %}
{%- set deleted = 'cast(_fivetran_deleted as boolean)' if '_fivetran_deleted' in columns else 'false' %}
{#- History mode: the last version of a deleted record is no longer active. #}
{%- set active = 'cast(_fivetran_active as boolean)' if '_fivetran_active' in columns else 'true' %}

-- One company per contact: of the companies the contact is currently linked to, the most recently linked.
with

source as (

    select * from {{ source('fivetran_intercom', 'contact_company_history') }}

),

current_links as (

    select *
    from source
    where not coalesce({{ deleted }}, false) and coalesce({{ active }}, true)

),

renamed as (

    select
        cast(contact_id as varchar) as contact_id,
        cast(company_id as varchar) as company_id
    from current_links
    qualify row_number() over (
        partition by contact_id order by contact_updated_at desc, _fivetran_synced desc, company_id asc
    ) = 1

)

select * from renamed

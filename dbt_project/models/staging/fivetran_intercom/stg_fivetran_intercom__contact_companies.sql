{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = fivetran_columns(source('fivetran_intercom', 'contact_company_history')) %}
{#- History mode: the last version of a deleted record is no longer active. #}
{%- set live = fivetran_live_conditions(columns) %}

-- One company per contact: of the companies the contact is currently linked to, the most recently linked.
with

source as (

    select * from {{ source('fivetran_intercom', 'contact_company_history') }}

),

current_links as (

    select *
    from source
    where {{ live | join(' and ') }}

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

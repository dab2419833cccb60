{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = fivetran_columns(source('fivetran_intercom', 'company_history')) %}
{#- History mode: the last version of a deleted record is no longer active. #}
{%- set live = fivetran_live_conditions(columns) %}

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
    where {{ live | join(' and ') }}

)

select * from renamed

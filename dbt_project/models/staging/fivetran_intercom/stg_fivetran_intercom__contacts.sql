{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = fivetran_columns(source('fivetran_intercom', 'contact_history')) %}
{#- History mode: the last version of a deleted record is no longer active. #}
{%- set live = fivetran_live_conditions(columns) %}

-- The latest version of each contact (users and leads).
with

source as (

    select * from {{ source('fivetran_intercom', 'contact_history') }}

),

latest as (

    select *
    from source
    qualify row_number() over (partition by id order by updated_at desc, _fivetran_synced desc) = 1

),

renamed as (

    select
        cast(id as varchar) as contact_id,
        lower(role) as contact_role,
        lower(trim(email)) as email,
        name as full_name,
        location_city as city,
        location_region as region,
        location_country as country,
        {{ utc_timestamp('cast(created_at as varchar)') }} as created_at
    from latest
    where {{ live | join(' and ') }}

)

select * from renamed

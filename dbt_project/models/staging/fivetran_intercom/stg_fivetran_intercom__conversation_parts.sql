{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = fivetran_columns(source('fivetran_intercom', 'conversation_part_history')) %}
{#- History mode: the last version of a deleted record is no longer active. #}
{%- set live = fivetran_live_conditions(columns) %}

-- The latest version of each conversation part: replies, notes, assignments, closes, reopens.
with

source as (

    select * from {{ source('fivetran_intercom', 'conversation_part_history') }}

),

latest as (

    select *
    from source
    qualify row_number() over (partition by id order by updated_at desc, _fivetran_synced desc) = 1

),

renamed as (

    select
        cast(id as varchar) as part_id,
        cast(conversation_id as varchar) as conversation_id,
        lower(part_type) as part_type,
        cast(author_id as varchar) as author_id,
        lower(author_type) as author_type,
        body,
        {{ utc_timestamp('cast(created_at as varchar)') }} as created_at
    from latest
    where {{ live | join(' and ') }}

)

select * from renamed

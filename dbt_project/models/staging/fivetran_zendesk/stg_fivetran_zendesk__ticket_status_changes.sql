{{ config(enabled=fivetran_enabled('zendesk')) }}

with

source as (

    select * from {{ source('fivetran_zendesk', 'ticket_field_history') }}

),

renamed as (

    select
        cast(ticket_id as varchar) as ticket_id,
        {{ utc_timestamp('cast(updated as varchar)') }} as changed_at,
        lower(value) as status
    from source
    where field_name = 'status'

)

select * from renamed

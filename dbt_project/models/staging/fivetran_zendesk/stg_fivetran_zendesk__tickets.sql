{{ config(enabled=fivetran_enabled('zendesk')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_zendesk', 'ticket')) -%}
{%- endif %}

with

source as (

    select * from {{ source('fivetran_zendesk', 'ticket') }}

),

renamed as (

    select
        cast(id as varchar) as ticket_id,
        {{ utc_timestamp('cast(created_at as varchar)') }} as created_at,
        {{ utc_timestamp('cast(updated_at as varchar)') }} as updated_at,
        lower(status) as status,
        -- Zendesk priorities are already low/normal/high/urgent; unset or anything else is normal.
        case
            when lower(priority) in ('low', 'normal', 'high', 'urgent') then lower(priority)
            else 'normal'
        end as priority,
        lower(via_channel) as via_channel,
        -- The product's care channels (seed sla_targets); web forms, API, mobile SDK and the rest count as web.
        case
            when lower(via_channel) = 'email' then 'email'
            when lower(via_channel) in ('chat', 'native_messaging') then 'chat'
            when lower(via_channel) in ('voice', 'phone') then 'voice'
            when lower(via_channel) = 'twitter' then 'x_mention'
            else 'web'
        end as channel,
        cast(requester_id as varchar) as requester_id,
        cast(group_id as varchar) as group_id,
        cast(organization_id as varchar) as organization_id,
        coalesce(
            lower(status) = 'deleted'
            {%- if '_fivetran_deleted' in columns %} or cast(_fivetran_deleted as boolean){% endif %},
            false
        ) as is_deleted,
        {{ utc_timestamp('cast(_fivetran_synced as varchar)') }} as _fivetran_synced
    from source

)

select * from renamed

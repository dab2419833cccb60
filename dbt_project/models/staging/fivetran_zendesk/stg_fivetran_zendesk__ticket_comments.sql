{{ config(enabled=fivetran_enabled('zendesk')) }}

{%- set columns = [] -%}
{%- if execute -%}
    {%- set columns = fivetran_columns(source('fivetran_zendesk', 'ticket_comment')) -%}
{%- endif %}

with

source as (

    select * from {{ source('fivetran_zendesk', 'ticket_comment') }}

),

renamed as (

    select
        cast(id as varchar) as comment_id,
        cast(ticket_id as varchar) as ticket_id,
        cast(user_id as varchar) as author_id,
        coalesce(cast(public as boolean), false) as is_public,
        body,
        {{ utc_timestamp('cast(created as varchar)') }} as commented_at
    from source
    {%- if '_fivetran_deleted' in columns %}
    where not coalesce(cast(_fivetran_deleted as boolean), false)
    {%- endif %}

)

select * from renamed

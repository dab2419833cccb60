{{ config(enabled=fivetran_enabled('hubspot')) }}
{%- set columns = fivetran_columns(source('fivetran_hubspot', 'email_event')) -%}

with

source as (

    select * from {{ source('fivetran_hubspot', 'email_event') }}

),

renamed as (

    select
        cast(id as varchar) as email_event_id,
        lower(cast(type as varchar)) as event_type,
        lower(nullif(trim(cast(recipient as varchar)), '')) as recipient,
        cast(email_campaign_id as varchar) as email_campaign_id,
        {{ 'cast(url as varchar)' if 'url' in columns else 'cast(null as varchar)' }} as url,
        {{ utc_timestamp('cast(created as varchar)', strict=false) }} as occurred_at
    from source
    {% if '_fivetran_deleted' in columns -%}
    where not coalesce(cast(_fivetran_deleted as boolean), false)
    {%- endif %}

)

select * from renamed

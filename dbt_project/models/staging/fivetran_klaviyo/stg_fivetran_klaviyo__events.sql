{{ config(enabled=fivetran_enabled('klaviyo')) }}

-- Klaviyo adds a `property_*` column the first time an event carries that property: read one not created yet as null.
-- The columns are read from the connector's table itself, not from source(): a unit test replaces the source.
{%- set connector = fivetran_connector('klaviyo') or {} %}
{%- set columns = fivetran_columns(api.Relation.create(
    database=connector.get('database') or target.database, schema=connector.get('schema'), identifier='event'
)) %}

with

source as (

    select * from {{ source('fivetran_klaviyo', 'event') }}

),

renamed as (

    select
        cast(id as varchar) as event_id,
        cast(person_id as varchar) as person_id,
        cast(metric_id as varchar) as metric_id,
        cast(campaign_id as varchar) as campaign_id,
        cast(flow_id as varchar) as flow_id,
        cast("type" as varchar) as metric_name,
        -- `timestamp`: when the event happened; `datetime`: when Klaviyo recorded it (nominally the same).
        {{ utc_timestamp('coalesce(cast("timestamp" as varchar), cast("datetime" as varchar))') }} as occurred_at,
        {% if 'property_value' in columns -%}
            try_cast(property_value as decimal(18, 2))
        {%- else -%}
            cast(null as decimal(18, 2))
        {%- endif %} as numeric_value,
        {% if 'property_currency_code' in columns -%}
            upper(nullif(trim(cast(property_currency_code as varchar)), ''))
        {%- else -%}
            cast(null as varchar)
        {%- endif %} as currency_code
    from source
    where not coalesce(cast(_fivetran_deleted as boolean), false)

)

select * from renamed

{{ config(enabled=fivetran_enabled('ga4')) }}

-- GA4 export columns that exist only for some properties (event parameters become `param_*` columns when collected;
-- local-currency revenue, intraday flag) read as null when absent.
-- The columns are read from the connector's table itself, not from source(): a unit test replaces the source.
{%- set connector = fivetran_connector('ga4') or {} %}
{%- set columns = fivetran_columns(api.Relation.create(
    database=connector.get('database') or target.database, schema=connector.get('schema'), identifier='event'
)) %}
{%- set optional = fivetran_optional_columns(columns, [
    ('batch_event_index', 'bigint'), ('param_page_location', 'varchar'),
    ('collected_traffic_source_manual_source', 'varchar'), ('traffic_source_source', 'varchar'),
    ('param_source', 'varchar'), ('collected_traffic_source_manual_medium', 'varchar'),
    ('traffic_source_medium', 'varchar'), ('param_medium', 'varchar'),
    ('ecommerce_purchase_revenue_in_usd', 'decimal(18, 2)'), ('ecommerce_transaction_id', 'varchar'),
    ('is_intraday', 'boolean')
]) %}

with

source as (

    select * from {{ source('fivetran_ga4', 'event') }}

),

renamed as (

    select
        cast(user_pseudo_id as varchar) as user_pseudo_id,
        nullif(trim(cast(user_id as varchar)), '') as user_id,
        cast("name" as varchar) as event_name,
        -- The BigQuery export writes microseconds since the epoch; Fivetran lands a timestamp. Read either.
        case
            when regexp_full_match(cast("timestamp" as varchar), '[0-9]{15,17}')
                then make_timestamp(cast(cast("timestamp" as varchar) as bigint))
            else {{ utc_timestamp('cast("timestamp" as varchar)') }}
        end as occurred_at,
        cast(bundle_sequence_id as varchar) as bundle_sequence_id,
        {{ optional['batch_event_index'] }} as batch_event_index,
        cast(platform as varchar) as platform,
        {{ optional['param_page_location'] }} as page_location,
        coalesce(
            {{ optional['collected_traffic_source_manual_source'] }},
            {{ optional['traffic_source_source'] }},
            {{ optional['param_source'] }}
        ) as traffic_source,
        coalesce(
            {{ optional['collected_traffic_source_manual_medium'] }},
            {{ optional['traffic_source_medium'] }},
            {{ optional['param_medium'] }}
        ) as traffic_medium,
        {{ optional['ecommerce_purchase_revenue_in_usd'] }} as purchase_revenue_usd,
        {{ optional['ecommerce_transaction_id'] }} as transaction_id,
        coalesce({{ optional['is_intraday'] }}, false) as is_intraday,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source
    {%- if '_fivetran_deleted' in columns %}
        where not coalesce(cast(_fivetran_deleted as boolean), false)
    {%- endif %}

),

keyed as (

    select
        *,
        -- GA4 has no event id: Fivetran's dbt_ga4_export identifies an event by these five fields.
        md5(
            coalesce(user_pseudo_id, '') || '|' || cast(occurred_at as varchar) || '|' || event_name
            || '|' || coalesce(bundle_sequence_id, '') || '|' || coalesce(cast(batch_event_index as varchar), '')
        ) as event_id
    from renamed

),

-- The intraday export of a day is exported again in that day's daily table: the same event may arrive twice. The
-- daily row wins; an intraday row stays while its day has not been exported yet.
deduplicated as (

    select * from keyed
    qualify row_number() over (partition by event_id order by is_intraday asc, _fivetran_synced desc) = 1

)

select * from deduplicated

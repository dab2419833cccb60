{{ config(enabled=fivetran_enabled('hubspot')) }}
{#- The customer-facing engagements, one table per type (a type the connector does not sync is skipped). Notes and
    tasks are left out: they are the rep's own records, not a contact with the customer. -#}
{%- set engagement_types = [
    {'table': 'engagement_call', 'type': 'call',
     'detail': ['property_hs_call_title', 'property_hs_call_disposition'], 'direction': 'property_hs_call_direction'},
    {'table': 'engagement_email', 'type': 'email',
     'detail': ['property_hs_email_subject'], 'direction': 'property_hs_email_direction'},
    {'table': 'engagement_meeting', 'type': 'meeting',
     'detail': ['property_hs_meeting_title', 'title'], 'direction': none},
] -%}
{%- set time_columns = [
    'property_hs_timestamp', 'property_hs_meeting_start_time', 'start_time', 'property_hs_createdate'
] -%}
{%- set present = [] -%}
{%- for engagement_type in engagement_types -%}
    {%- set relation = load_relation(source('fivetran_hubspot', engagement_type['table'])) if execute else none -%}
    {%- if relation is not none -%}
        {%- set columns = fivetran_columns(relation) -%}
        {%- set times = [] -%}
        {%- for column in time_columns if column in columns -%}
            {%- do times.append(utc_timestamp('cast(' ~ column ~ ' as varchar)', strict=false)) -%}
        {%- endfor -%}
        {%- set details = engagement_type['detail'] | select('in', columns) | list -%}
        {%- do present.append({
            'table': engagement_type['table'],
            'type': engagement_type['type'],
            'occurred_at': 'coalesce(' ~ times | join(', ') ~ ')' if times else 'cast(null as timestamp)',
            'direction': 'lower(cast(' ~ engagement_type['direction'] ~ ' as varchar))'
                if engagement_type['direction'] in columns else 'cast(null as varchar)',
            'detail': 'cast(coalesce(' ~ details | join(', ') ~ ') as varchar)' if details else 'cast(null as varchar)',
            'live': 'not coalesce(cast(_fivetran_deleted as boolean), false)'
                if '_fivetran_deleted' in columns else 'true',
        }) -%}
    {%- endif -%}
{%- endfor %}
{%- set selects = [] -%}
{%- for item in present -%}
    {%- do selects.append('select * from ' ~ item['table']) -%}
{%- endfor %}

with

{% for item in present -%}
{{ item['table'] }} as (

    select
        cast(engagement_id as varchar) as engagement_id,
        '{{ item['type'] }}' as engagement_type,
        {{ item['occurred_at'] }} as occurred_at,
        {{ item['direction'] }} as direction,
        {{ item['detail'] }} as detail
    from {{ source('fivetran_hubspot', item['table']) }}
    where {{ item['live'] }}

),

{% endfor -%}
final as (

    {% if present %}
        {{ selects | join('\n        union all\n        ') }}
    {% else %}
        select
            cast(null as varchar) as engagement_id,
            cast(null as varchar) as engagement_type,
            cast(null as timestamp) as occurred_at,
            cast(null as varchar) as direction,
            cast(null as varchar) as detail
        where false
    {% endif %}

)

select * from final

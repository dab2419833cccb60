{#- The IANA time zone a source writes its naive local times in (var `source_time_zones`, e.g. {reviews:
    'Europe/Berlin'}); UTC for a source it does not name. Values with an offset ignore it. -#}
{% macro source_time_zone(source_name) -%}
    {{ return(var('source_time_zones', {}).get(source_name, 'UTC')) }}
{%- endmacro %}

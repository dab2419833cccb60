{#- Continuous percentile (0..1) of a column within a group: DuckDB's quantile_cont; other warehouses bring theirs. -#}
{% macro percentile(column, fraction) -%}
    {{ return(adapter.dispatch('percentile')(column, fraction)) }}
{%- endmacro %}

{% macro duckdb__percentile(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}

{% macro default__percentile(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}

{#- One row per day from start_date to end_date (both dates, inclusive), as column `calendar_date`. -#}
{% macro date_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_series')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date) -%}
    select cast(unnest(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day
    )) as date) as calendar_date
{%- endmacro %}

{#- The earliest time an incremental run reprocesses: the newest `column` already in the model minus
    var `incremental_lookback_days` days (so late-arriving records inside that window are picked up). -#}
{% macro incremental_cutoff(column) -%}
    select {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(' ~ column ~ ')') }} from {{ this }}
{%- endmacro %}

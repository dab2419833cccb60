{#- The as-of time of the care metrics: var `care_as_of` when set, else the latest `column` of `relation` (a CTE
    name or a relation), so open conversations and feedback age against the same clock everywhere. -#}
{% macro care_as_of(relation, column) -%}
    {%- if var('care_as_of') -%}
        select cast('{{ var("care_as_of") }}' as timestamp) as as_of_at
    {%- else -%}
        select max({{ column }}) as as_of_at from {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#- Text holding an integer, also when a pandas round trip wrote it as a float ('57.0'); empty text is null. -#}
{% macro integer_from_text(column) -%}
    cast(cast(nullif(trim({{ column }}), '') as double) as bigint)
{%- endmacro %}

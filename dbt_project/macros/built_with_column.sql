{#- Whether the table this incremental model built before has `column`: a table built by an earlier version of the
    project, without the column the incremental logic keeps its state in, is recomputed whole once
    (on_schema_change='append_new_columns' adds the column). True in a unit test, whose `this` is a given input. -#}
{% macro built_with_column(column) -%}
    {%- if this is not string and this.database is defined -%}
        {{- return(column in adapter.get_columns_in_relation(this) | map(attribute='name') | list) -}}
    {%- endif -%}
    {{- return(true) -}}
{%- endmacro %}

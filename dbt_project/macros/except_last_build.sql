{#- Change detection of the incremental marts: the rows of this build that the last build does not hold (an
    `except` against {{ this }}), so delete+insert rewrites only new and changed rows. The `except` pairs columns by
    position, so a version that adds, drops or reorders a column cannot compare with the table already built: that
    stops the run here with the fix, instead of a bare "set operations" error from the database. -#}
{% macro except_last_build() -%}
    {%- if is_incremental() -%}
        {%- if execute -%}
            {%- set built = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
            {%- set declared = model.columns.keys() | map('lower') | list -%}
            {%- if built != declared -%}
                {{ exceptions.raise_compiler_error(
                    this ~ " was built with other columns than this version declares (built: "
                    ~ (built | reject('in', declared) | join(', ') or 'none extra') ~ "; new: "
                    ~ (declared | reject('in', built) | join(', ') or 'none') ~ "; or a new order). Rebuild it once: "
                    ~ "from dbt_project/, dbt build --full-refresh --select " ~ this.identifier ~ "+"
                ) }}
            {%- endif -%}
        {%- endif %}
        except
        select * from {{ this }}
    {%- endif -%}
{%- endmacro %}

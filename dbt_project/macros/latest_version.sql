{#- The latest version of each record of a staging CTE: by `version_column` when the source has an update time,
    then by load time and source file, so a re-exported record replaces the older copy. The CTE carries the lineage
    columns as `_loaded_at_for_dedup` and `_source_file_for_dedup`; they are dropped here. -#}
{% macro latest_version(relation, key, version_column=none) -%}
    select * exclude (_loaded_at_for_dedup, _source_file_for_dedup)
    from {{ relation }}
    qualify row_number() over (
        partition by {{ key }}
        order by {% if version_column %}{{ version_column }} desc, {% endif -%}
        _loaded_at_for_dedup desc, _source_file_for_dedup desc
    ) = 1
{%- endmacro %}

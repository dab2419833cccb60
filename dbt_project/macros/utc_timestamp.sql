{#- ISO 8601 text with any UTC offset ('Z', '+02:00', none = UTC) to a naive UTC timestamp; empty text is null.
    A value that is not a timestamp fails the build with DuckDB's conversion error instead of turning into null. -#}
{% macro utc_timestamp(column) -%}
    (cast(nullif(trim({{ column }}), '') as timestamptz) at time zone 'UTC')
{%- endmacro %}

{#- Unix seconds to a naive UTC timestamp. -#}
{% macro utc_from_unix_seconds(column) -%}
    make_timestamp(cast({{ column }} as bigint) * 1000000)
{%- endmacro %}

{#- Empty or blank text to null, trimmed otherwise. -#}
{% macro blank_as_null(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- Naive local time text (no offset) written in the IANA time zone `time_zone` to a naive UTC timestamp. -#}
{% macro utc_from_local(column, time_zone) -%}
    ((cast(nullif(trim({{ column }}), '') as timestamp) at time zone '{{ time_zone }}') at time zone 'UTC')
{%- endmacro %}

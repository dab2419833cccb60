{#- The words of a text as a list, for matching lexicon terms and topic keywords: lower case, @handles and links
    removed, every run of characters that are not letters, digits or apostrophes is a word break. Dispatched so
    that another warehouse can bring its own split; only DuckDB's is written. -#}
{% macro words_of(text) -%}
    {{ return(adapter.dispatch('words_of')(text)) }}
{%- endmacro %}

{% macro duckdb__words_of(text) -%}
    string_split(
        trim(regexp_replace(
            regexp_replace(lower({{ text }}), '(@\w+|https?://\S+)', ' ', 'g'),
            '[^\p{L}\p{N}'']+', ' ', 'g'
        )),
        ' '
    )
{%- endmacro %}

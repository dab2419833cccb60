{#- The language a source's texts are written in (var `source_languages`, e.g. {olist: 'pt'}), as a SQL expression
    over the column holding the source system; var `default_text_language` for a source it does not name. English
    text is scored by the sentiment model, other languages by their lexicon terms then the star rating. -#}
{% macro source_language(source_system) -%}
    {%- set languages = var('source_languages', {}) -%}
    case {{ source_system }}
        {%- for source_name, language in languages.items() %}
        when '{{ source_name }}' then '{{ language }}'
        {%- endfor %}
        else '{{ var("default_text_language", "en") }}'
    end
{%- endmacro %}

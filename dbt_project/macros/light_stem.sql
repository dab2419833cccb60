{#- A light stem of one lower-case word: plural endings only, by the rules of Harman's S-stemmer as Lucene's
    EnglishMinimalStemmer writes them ("How effective is suffixing?", JASIS 1991): -ies -> -y (not after a or e),
    -s dropped (not after u, s, or in -aes, -ees, -oes, -ies). Words of fewer than four letters are left alone.
    'refunds' -> 'refund', 'replies' -> 'reply', 'charges' -> 'charge', 'status' and 'access' unchanged. Portable SQL:
    a term key for grouping, not a word to show (mart_term_trends shows the most common surface form). -#}
{% macro light_stem(word) -%}
    case
        when length({{ word }}) < 4 or substring({{ word }}, length({{ word }}), 1) != 's' then {{ word }}
        when substring({{ word }}, length({{ word }}) - 1, 1) in ('u', 's') then {{ word }}
        when
            substring({{ word }}, length({{ word }}) - 2, 2) = 'ie'
            and substring({{ word }}, length({{ word }}) - 3, 1) not in ('a', 'e')
            then substring({{ word }}, 1, length({{ word }}) - 3) || 'y'
        when substring({{ word }}, length({{ word }}) - 2, 2) in ('ie', 'ae', 'ee', 'oe') then {{ word }}
        else substring({{ word }}, 1, length({{ word }}) - 1)
    end
{%- endmacro %}

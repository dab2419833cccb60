{#- The features the sentiment model reads from a message, as a list of distinct tokens (one DuckDB expression,
    vectorised). Training renders this same macro with plain Jinja (text_signals/tokens.py), so the model is scored on
    exactly the tokens it learned from. Design and measurements: text_signals/MODEL_CARD.md.

    - Links, @handles, `#` signs, numbers and anything holding a digit carry no sentiment and are removed first;
      so are the words in `excluded_words` (a varchar[] expression: brand names, which would otherwise learn the mood
      of the people who write to that brand).
    - Words are lower case; a run of 3+ equal letters shrinks to two ("soooo" -> "soo") and adds `<elongated>`.
    - Negation scope: inside a clause (text between . , : ; ! ?), every word after a negation cue ("not", "never",
      "don't", ...) is prefixed `neg_`, so "not good" and "good" are different features.
    - Word pairs inside a clause (`not good`, `for nothing`), without the prefix.
    - Emoticons (`:)`, `:-(`, `<3`, normalised without the nose), each emoji symbol, and cues `<exclaim>`,
      `<question>`, `<allcaps>` (a word of 3+ capitals). -#}

{#- A run of 3+ equal letters a-z shrunk to two: a character goes when it equals the two before it. (A chain of 26
    regexp_replace calls is as fast but too deep for sqlfluff's parser; RE2 has no backreferences.) -#}
{% macro _sentiment_shrink_elongation(w) -%}
    case
        when regexp_matches({{ w }}, '{{ _sentiment_elongated() }}')
            then list_transform(
                [string_split({{ w }}, '')],
                lambda chars: array_to_string(list_filter(
                    chars,
                    lambda c, i: not (i > 2 and c = chars[i - 1] and c = chars[i - 2] and c >= 'a' and c <= 'z')
                ), '')
            )[1]
        else {{ w }}
    end
{%- endmacro %}

{% macro _sentiment_elongated() -%}
    {%- for l in 'abcdefghijklmnopqrstuvwxyz' %}{{ l ~ l ~ l }}{{ "|" if not loop.last }}{% endfor -%}
{%- endmacro %}

{% macro sentiment_tokens(text, excluded_words="[]::varchar[]") -%}
    {%- set emoticon = "(?:[:;=][-o*'']?[)\\](\\[dDpP/|@3*]|[)(\\]\\[][-o*'']?[:;=]|<3+|\\^_?\\^)" -%}
    {%- set negation_cues = "['not', 'no', 'never', 'cannot', 'cant', 'nothing', 'nobody', 'none', 'nowhere', 'neither', 'nor', 'without', 'aint', 'dont', 'doesnt', 'didnt', 'isnt', 'wasnt', 'wont', 'wouldnt', 'shouldnt', 'couldnt', 'havent', 'hasnt']" -%}
    {%- set word = "\\p{L}+(?:''\\p{L}+)*" -%}
    list_transform(
        [regexp_replace(
            replace(replace(replace(replace(replace(replace(coalesce({{ text }}, ''),
                '&amp;', '&'), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '’', ''''),
            '(https?://\S+|www\.\S+|\{link\}|@\w+|#|\S*\d\S*)', ' ', 'g'
        )],
        lambda cleaned: list_transform(
            [{{ _sentiment_shrink_elongation("lower(regexp_replace(cleaned, '" ~ emoticon ~ "', ' . ', 'g'))") }}],
            lambda plain: list_distinct(flatten([
                list_transform(regexp_extract_all(cleaned, '{{ emoticon }}'), lambda e: lower(replace(e, '-', ''))),
                regexp_extract_all(cleaned, '\p{So}'),
                case when contains(cleaned, '!') then ['<exclaim>'] else [] end,
                case when contains(cleaned, '?') then ['<question>'] else [] end,
                case when regexp_matches(cleaned, '\b[A-Z]{3,}\b') then ['<allcaps>'] else [] end,
                case when regexp_matches(lower(cleaned), '{{ _sentiment_elongated() }}') then ['<elongated>'] else [] end,
                flatten(list_transform(
                    string_split_regex(plain, '[.,:;!?]+'),
                    lambda clause: list_transform(
                        [list_filter(
                            regexp_extract_all(clause, '{{ word }}'),
                            lambda w: not list_contains({{ excluded_words }}, w)
                        )],
                        lambda words: list_transform(
                            [coalesce(list_filter(
                                range(1, len(words) + 1),
                                lambda i: list_contains({{ negation_cues }}, words[i]) or suffix(words[i], 'n''t')
                            )[1], len(words) + 1)],
                            lambda cue: list_concat(
                                list_transform(
                                    range(1, len(words) + 1),
                                    lambda i: case when i > cue then 'neg_' || words[i] else words[i] end
                                ),
                                list_transform(range(1, len(words)), lambda i: words[i] || ' ' || words[i + 1])
                            )
                        )[1]
                    )[1]
                ))
            ]))
        )[1]
    )[1]
{%- endmacro %}

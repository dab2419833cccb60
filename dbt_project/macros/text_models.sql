{#- The product's two text models as subqueries over any relation of texts, so interactions and the brand's own
    posts are scored by the same SQL (int_text__*, int_social__post_text_signals). `texts` is a relation or a CTE
    of the calling model; `key` and `text` name its columns. -#}

{#- The learned sentiment model (seed sentiment_model_weights, text_signals/MODEL_CARD.md): the text's distinct tokens
    (macro sentiment_tokens; brand handles and var `sentiment_excluded_words` are not features) joined to their
    class weights, summed with the bias, softmax. One row per text with at least one known token: `key`,
    known_tokens, sentiment_score (P(positive) - P(negative)), sentiment_confidence (the top class's probability),
    sentiment_label. Score English texts only: the weights are English. -#}
{% macro sentiment_model_scores(texts, key, text) -%}
    (
        with

        model_weights as (

            select * from {{ ref('sentiment_model_weights') }}

        ),

        excluded_words as (

            select
                list_distinct(list_concat(
                    coalesce(list(lower(username)), []),
                    [{% for word in var('sentiment_excluded_words') %}'{{ word | lower }}'{{ ', ' if not loop.last }}
                    {% endfor %}]
                ))::varchar [] as words
            from {{ ref('brand_accounts') }}

        ),

        tokens as (

            select
                texts.{{ key }} as text_key,
                unnest({{ sentiment_tokens('texts.' ~ text, 'excluded_words.words') }}) as token
            from {{ texts }} as texts
            cross join excluded_words
            where texts.{{ text }} is not null

        ),

        sums as (

            select
                tokens.text_key,
                count(*) as known_tokens,
                sum(model_weights.negative) as negative,
                sum(model_weights.neutral) as neutral,
                sum(model_weights.positive) as positive
            from tokens
            inner join model_weights on tokens.token = model_weights.token
            group by tokens.text_key

        ),

        logits as (

            select
                sums.text_key,
                sums.known_tokens,
                sums.negative + bias.negative as negative,
                sums.neutral + bias.neutral as neutral,
                sums.positive + bias.positive as positive
            from sums
            cross join (select * from model_weights where token = '<bias>') as bias

        ),

        -- Softmax over the three class scores, shifted by the largest for numerical safety.
        probabilities as (

            select
                text_key,
                known_tokens,
                exp(negative - greatest(negative, neutral, positive)) as negative,
                exp(neutral - greatest(negative, neutral, positive)) as neutral,
                exp(positive - greatest(negative, neutral, positive)) as positive
            from logits

        )

        select
            text_key as {{ key }},
            known_tokens,
            (positive - negative) / (negative + neutral + positive) as sentiment_score,
            greatest(negative, neutral, positive) / (negative + neutral + positive) as sentiment_confidence,
            case greatest(negative, neutral, positive)
                when negative then 'negative'
                when positive then 'positive'
                else 'neutral'
            end as sentiment_label
        from probabilities
    )
{%- endmacro %}

{#- Every term of `terms` (columns term_kind, term) found in each text, by word position (macro words_of on both
    sides). Matched on the first word (a hash join), the rest of a phrase checked on those few candidates only; a
    term inside a longer matched term of the same kind ('happy' in 'not happy') is dropped, so phrases override
    their words. One row per hit: `key`, term_kind, term, word_position, word_count. -#}
{% macro term_hits(texts, key, text, terms) -%}
    (
        with

        term_words as (

            select
                term_kind,
                term,
                {{ words_of('term') }} as words
            from {{ terms }}

        ),

        split_terms as (

            select
                term_kind,
                term,
                words[1] as first_word,
                len(words) as word_count,
                array_to_string(words, ' ') as normalized_term
            from term_words

        ),

        tokenized as (

            select
                {{ key }} as text_key,
                {{ words_of(text) }} as words
            from {{ texts }}
            where {{ text }} is not null

        ),

        tokens as (

            select
                text_key,
                unnest(words) as word,
                unnest(range(1, len(words) + 1)) as word_position
            from tokenized

        ),

        matches as (

            select
                tokens.text_key,
                tokens.word_position,
                split_terms.term_kind,
                split_terms.term,
                split_terms.word_count
            from tokens
            inner join split_terms on tokens.word = split_terms.first_word
            inner join tokenized on tokens.text_key = tokenized.text_key
            where
                split_terms.word_count = 1
                or array_to_string(
                    tokenized.words[tokens.word_position:tokens.word_position + split_terms.word_count - 1], ' '
                ) = split_terms.normalized_term

        )

        select
            shorter.text_key as {{ key }},
            shorter.term_kind,
            shorter.term,
            shorter.word_position,
            shorter.word_count
        from matches as shorter
        where not exists (
            select 1
            from matches as longer
            where
                longer.text_key = shorter.text_key
                and longer.term_kind = shorter.term_kind
                and longer.word_count > shorter.word_count
                and longer.word_position <= shorter.word_position
                and longer.word_position + longer.word_count >= shorter.word_position + shorter.word_count
        )
    )
{%- endmacro %}

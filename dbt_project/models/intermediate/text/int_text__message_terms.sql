-- The terms of every customer message, found without a taxonomy: one row per inbound message x distinct term, a term
-- being a unigram or a bigram of adjacent words after @handles, links, numbers and stop words are removed, each word
-- lightly stemmed (macro light_stem). Rules: DECISIONLOG.md, "Term trends". Incremental: only the texts changed since
-- the last build are split again (macros/incremental_texts.sql).
{{
    config(
        materialized='incremental',
        unique_key='interaction_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="{{ delete_outdated_text_rows() }}"
    )
}}

with

canonical_interactions as (

    select * from {{ ref('int_canonical__interactions') }}

),

changed_texts as (

    {{ changed_texts() }}

),

interactions as (

    select
        canonical_interactions.interaction_key,
        canonical_interactions.direction,
        canonical_interactions.body,
        changed_texts.text_changed_at
    from canonical_interactions
    inner join changed_texts on canonical_interactions.interaction_key = changed_texts.interaction_key

),

stop_words as (

    select * from {{ ref('stop_words') }}

),

-- Clauses first (text between . , : ; ! ?, once links and @handles are gone), so that no bigram spans punctuation.
messages as (

    select
        interaction_key,
        string_split_regex(
            regexp_replace(replace(body, '’', ''''), '(@\w+|https?://\S+)', ' ', 'g'), '[.,:;!?]+'
        ) as clauses
    from interactions
    where direction = 'inbound' and body is not null

),

clauses as (

    select
        interaction_key,
        unnest(clauses) as clause,
        unnest(range(1, len(clauses) + 1)) as clause_number
    from messages

),

tokenized as (

    select
        interaction_key,
        clause_number,
        {{ words_of('clause') }} as words
    from clauses

),

-- Each word beside the one after it in its clause (null after the last): bigrams without a self-join or a sort.
word_pairs as (

    select
        interaction_key,
        clause_number,
        unnest(words) as surface,
        unnest(words[2:]) as next_surface,
        unnest(range(1, len(words) + 1)) as word_position
    from tokenized

),

keyed as (

    select
        interaction_key,
        surface,
        next_surface,
        clause_number * 100000 + word_position as ordinal,
        replace(surface, '''', '') as word,
        replace(next_surface, '''', '') as next_word
    from word_pairs

),

-- A word is kept when it has a letter (numbers go) and two characters or more; a stop word goes, a negation may
-- only start a bigram.
classified as (

    select
        keyed.interaction_key,
        keyed.ordinal,
        keyed.surface,
        keyed.next_surface,
        keyed.word,
        keyed.next_word,
        coalesce(
            length(keyed.word) >= 2 and regexp_matches(keyed.word, '\p{L}') and this_stop.word is null, false
        ) as is_content,
        coalesce(this_stop.role = 'negation', false) as is_negation,
        coalesce(
            length(keyed.next_word) >= 2 and regexp_matches(keyed.next_word, '\p{L}') and next_stop.word is null, false
        ) as next_is_content
    from keyed
    left join stop_words as this_stop on keyed.word = this_stop.word
    left join stop_words as next_stop on keyed.next_word = next_stop.word

),

unigrams as (

    select
        interaction_key,
        ordinal,
        1 as word_count,
        {{ light_stem('word') }} as term,
        surface as surface_form
    from classified
    where is_content

),

bigrams as (

    select
        interaction_key,
        ordinal,
        2 as word_count,
        case when is_negation then word else {{ light_stem('word') }} end
        || ' ' || {{ light_stem('next_word') }} as term,
        surface || ' ' || next_surface as surface_form
    from classified
    where (is_content or is_negation) and next_is_content

),

terms as (

    select * from unigrams
    union all
    select * from bigrams

),

-- A term said twice in one message counts once; its first occurrence gives the surface form.
distinct_terms as (

    select
        interaction_key,
        term,
        word_count,
        arg_min(surface_form, ordinal) as surface_form
    from terms
    group by interaction_key, term, word_count

),

final as (

    select
        distinct_terms.*,
        interactions.text_changed_at
    from distinct_terms
    inner join interactions on distinct_terms.interaction_key = interactions.interaction_key

)

select * from final

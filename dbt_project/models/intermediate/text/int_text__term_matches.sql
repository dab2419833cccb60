-- Every sentiment term and topic keyword found in an interaction's text, by word position. A term inside a longer
-- matched term of the same kind ('happy' in 'not happy') is dropped, so phrases override their words.
with

interactions as (

    select * from {{ ref('int_canonical__interactions') }}

),

sentiment_lexicon as (

    select * from {{ ref('sentiment_lexicon') }}

),

topic_taxonomy as (

    select * from {{ ref('topic_taxonomy') }}

),

terms as (

    select
        'sentiment' as term_kind,
        lower(term) as term
    from sentiment_lexicon
    union all
    select
        'topic' as term_kind,
        lower(keyword) as term
    from topic_taxonomy

),

term_words as (

    select
        term_kind,
        term,
        {{ words_of('term') }} as words
    from terms

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
        interaction_key,
        {{ words_of('body') }} as words
    from interactions
    where body is not null

),

tokens as (

    select
        interaction_key,
        unnest(words) as word,
        unnest(range(1, len(words) + 1)) as word_position
    from tokenized

),

-- Match on the first word (a hash join), then check the rest of a phrase on those few candidates only.
candidates as (

    select
        tokens.interaction_key,
        tokens.word_position,
        split_terms.term_kind,
        split_terms.term,
        split_terms.normalized_term,
        split_terms.word_count
    from tokens
    inner join split_terms on tokens.word = split_terms.first_word

),

matches as (

    select candidates.*
    from candidates
    inner join tokenized on candidates.interaction_key = tokenized.interaction_key
    where
        candidates.word_count = 1
        or array_to_string(
            tokenized.words[candidates.word_position:candidates.word_position + candidates.word_count - 1], ' '
        ) = candidates.normalized_term

),

final as (

    select
        shorter.interaction_key,
        shorter.term_kind,
        shorter.term,
        shorter.word_position,
        shorter.word_count
    from matches as shorter
    where not exists (
        select 1
        from matches as longer
        where
            longer.interaction_key = shorter.interaction_key
            and longer.term_kind = shorter.term_kind
            and longer.word_count > shorter.word_count
            and longer.word_position <= shorter.word_position
            and longer.word_position + longer.word_count >= shorter.word_position + shorter.word_count
    )

)

select * from final

-- Every sentiment term and topic keyword found in an interaction's text, by word position (macro term_hits: a term
-- inside a longer matched term of the same kind, 'happy' in 'not happy', is dropped, so phrases override their words).
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

final as (

    select * from {{ term_hits('interactions', 'interaction_key', 'body', 'terms') }} as hits

)

select * from final

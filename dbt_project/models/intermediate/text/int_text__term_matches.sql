-- Every sentiment term and topic keyword found in an interaction's text, by word position (macro term_hits: a term
-- inside a longer matched term of the same kind, 'happy' in 'not happy', is dropped, so phrases override their words).
-- Incremental: only the texts changed since the last build are matched again (macros/incremental_texts.sql).
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
        canonical_interactions.body,
        changed_texts.text_changed_at
    from canonical_interactions
    inner join changed_texts on canonical_interactions.interaction_key = changed_texts.interaction_key

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

    select
        hits.*,
        changed_texts.text_changed_at
    from {{ term_hits('interactions', 'interaction_key', 'body', 'terms') }} as hits
    inner join changed_texts on hits.interaction_key = changed_texts.interaction_key

)

select * from final

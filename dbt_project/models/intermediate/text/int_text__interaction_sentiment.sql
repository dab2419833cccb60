-- Sentiment per interaction. English text: the learned model (seed sentiment_model_weights, trained by
-- `make train-sentiment`, card in text_signals/MODEL_CARD.md), scored here as a join of the message's tokens to their
-- class weights and a softmax. Other languages: that language's lexicon terms (sentiment_lexicon), then the star
-- rating. Method per row, rules in DECISIONLOG.md "Sentiment".
-- Incremental: only the texts changed since the last build are scored again (macros/incremental_texts.sql).
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
        canonical_interactions.*,
        changed_texts.text_changed_at
    from canonical_interactions
    inner join changed_texts on canonical_interactions.interaction_key = changed_texts.interaction_key

),

all_term_matches as (

    select * from {{ ref('int_text__term_matches') }}

),

term_matches as (

    select all_term_matches.*
    from all_term_matches
    semi join changed_texts on all_term_matches.interaction_key = changed_texts.interaction_key

),

sentiment_lexicon as (

    select * from {{ ref('sentiment_lexicon') }}

),

languages as (

    select
        interaction_key,
        body,
        rating,
        text_changed_at,
        {{ source_language('source_system') }} as text_language
    from interactions

),

english_texts as (

    select
        interaction_key,
        body
    from languages
    where text_language = 'en'

),

model_scores as (

    select * from {{ sentiment_model_scores('english_texts', 'interaction_key', 'body') }} as scores

),

lexicon_scores as (

    select
        term_matches.interaction_key,
        count(*) as sentiment_terms,
        sum(sentiment_lexicon.score) as raw_score
    from term_matches
    inner join languages on term_matches.interaction_key = languages.interaction_key
    inner join sentiment_lexicon
        on
            term_matches.term = lower(sentiment_lexicon.term)
            and languages.text_language = sentiment_lexicon.language
    where term_matches.term_kind = 'sentiment' and languages.text_language != 'en'
    group by term_matches.interaction_key

),

scored as (

    select
        languages.interaction_key,
        languages.text_language,
        languages.text_changed_at,
        model_scores.sentiment_score as model_score,
        model_scores.sentiment_label as model_label,
        model_scores.sentiment_confidence as model_confidence,
        case
            when model_scores.interaction_key is not null then 'model'
            when lexicon_scores.interaction_key is not null
                then case languages.text_language
                    when 'pt' then 'portuguese_lexicon' when 'es' then 'spanish_lexicon' else 'lexicon'
                end
            when languages.rating is not null then 'star_rating'
            when languages.body is null or trim(languages.body) = '' then 'no_text'
            else 'no_signal'
        end as sentiment_method,
        coalesce(model_scores.known_tokens, lexicon_scores.sentiment_terms, 0) as sentiment_terms,
        lexicon_scores.raw_score / sqrt(lexicon_scores.raw_score * lexicon_scores.raw_score + 15.0) as lexicon_score,
        (languages.rating - 3) / 2.0 as rating_score
    from languages
    left join model_scores on languages.interaction_key = model_scores.interaction_key
    left join lexicon_scores on languages.interaction_key = lexicon_scores.interaction_key

),

final as (

    select
        interaction_key,
        round(case sentiment_method
            when 'model' then model_score
            when 'star_rating' then rating_score
            when 'no_text' then 0.0
            when 'no_signal' then 0.0
            else lexicon_score
        end, 4) as sentiment_score,
        case
            when sentiment_method = 'model' then model_label
            when sentiment_method in ('no_text', 'no_signal') then 'neutral'
            when coalesce(lexicon_score, rating_score) >= {{ var('positive_sentiment_min') }} then 'positive'
            when coalesce(lexicon_score, rating_score) <= -{{ var('positive_sentiment_min') }} then 'negative'
            else 'neutral'
        end as sentiment_label,
        round(case sentiment_method
            when 'model' then model_confidence
            when 'star_rating' then 1.0
            when 'no_text' then 0.0
            when 'no_signal' then 0.0
            else abs(lexicon_score)
        end, 4) as sentiment_confidence,
        sentiment_method,
        sentiment_terms,
        text_language,
        text_changed_at
    from scored

)

select * from final

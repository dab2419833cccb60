-- Sentiment per interaction: the lexicon's terms when the text has any, else the star rating, else neutral.
-- The score is normalised into -1..1 like VADER's compound score: sum / sqrt(sum^2 + 15).
with

interactions as (

    select * from {{ ref('int_canonical__interactions') }}

),

term_matches as (

    select * from {{ ref('int_text__term_matches') }}

),

sentiment_lexicon as (

    select * from {{ ref('sentiment_lexicon') }}

),

lexicon_scores as (

    select
        term_matches.interaction_key,
        count(*) as sentiment_terms,
        sum(sentiment_lexicon.score) as raw_score
    from term_matches
    inner join sentiment_lexicon on term_matches.term = lower(sentiment_lexicon.term)
    where term_matches.term_kind = 'sentiment'
    group by term_matches.interaction_key

),

scored as (

    select
        interactions.interaction_key,
        coalesce(lexicon_scores.sentiment_terms, 0) as sentiment_terms,
        case
            when lexicon_scores.raw_score is not null then 'lexicon'
            when interactions.rating is not null then 'star_rating'
            else 'no_signal'
        end as sentiment_method,
        round(case
            when lexicon_scores.raw_score is not null
                then lexicon_scores.raw_score / sqrt(lexicon_scores.raw_score * lexicon_scores.raw_score + 15.0)
            when interactions.rating is not null then (interactions.rating - 3) / 2.0
            else 0.0
        end, 4) as sentiment_score
    from interactions
    left join lexicon_scores on interactions.interaction_key = lexicon_scores.interaction_key

),

final as (

    select
        interaction_key,
        sentiment_score,
        case
            when sentiment_score >= {{ var('positive_sentiment_min') }} then 'positive'
            when sentiment_score <= -{{ var('positive_sentiment_min') }} then 'negative'
            else 'neutral'
        end as sentiment_label,
        sentiment_method,
        sentiment_terms
    from scored

)

select * from final

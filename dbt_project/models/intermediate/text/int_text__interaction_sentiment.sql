-- Sentiment per interaction. English text: the learned model (seed sentiment_model_weights, trained by
-- `make train-sentiment`, card in text_signals/MODEL_CARD.md), scored here as a join of the message's tokens to their
-- class weights and a softmax. Other languages: that language's lexicon terms (sentiment_lexicon), then the star
-- rating. Method per row, rules in DECISIONLOG.md "Sentiment".
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

model_weights as (

    select * from {{ ref('sentiment_model_weights') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

-- Brand names carry no sentiment: the brand's own handles and the configured words are not model features.
excluded_words as (

    select
        list_distinct(list_concat(
            coalesce(list(lower(username)), []),
            [{% for word in var('sentiment_excluded_words') %}'{{ word | lower }}'{{ ', ' if not loop.last }}
            {% endfor %}]
        ))::varchar [] as words
    from brand_accounts

),

languages as (

    select
        interaction_key,
        body,
        rating,
        {{ source_language('source_system') }} as text_language
    from interactions

),

english_tokens as (

    select
        languages.interaction_key,
        unnest({{ sentiment_tokens('languages.body', 'excluded_words.words') }}) as token
    from languages
    cross join excluded_words
    where languages.text_language = 'en' and languages.body is not null

),

model_sums as (

    select
        english_tokens.interaction_key,
        count(*) as known_tokens,
        sum(model_weights.negative) as negative,
        sum(model_weights.neutral) as neutral,
        sum(model_weights.positive) as positive
    from english_tokens
    inner join model_weights on english_tokens.token = model_weights.token
    group by english_tokens.interaction_key

),

model_bias as (

    select * from model_weights
    where token = '<bias>'

),

model_logits as (

    select
        model_sums.interaction_key,
        model_sums.known_tokens,
        model_sums.negative + model_bias.negative as negative,
        model_sums.neutral + model_bias.neutral as neutral,
        model_sums.positive + model_bias.positive as positive
    from model_sums
    cross join model_bias

),

-- Softmax over the three class scores, shifted by the largest for numerical safety.
model_probabilities as (

    select
        interaction_key,
        known_tokens,
        exp(negative - greatest(negative, neutral, positive)) as negative,
        exp(neutral - greatest(negative, neutral, positive)) as neutral,
        exp(positive - greatest(negative, neutral, positive)) as positive
    from model_logits

),

model_scores as (

    select
        interaction_key,
        known_tokens,
        (positive - negative) / (negative + neutral + positive) as sentiment_score,
        greatest(negative, neutral, positive) / (negative + neutral + positive) as sentiment_confidence,
        case greatest(negative, neutral, positive)
            when negative then 'negative'
            when positive then 'positive'
            else 'neutral'
        end as sentiment_label
    from model_probabilities

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
        text_language
    from scored

)

select * from final

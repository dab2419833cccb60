-- Sentiment and topic of the brand's own post texts, with the product's models: English texts are scored by the
-- learned sentiment model (seed sentiment_model_weights over the tokens of macro sentiment_tokens, the same join and
-- softmax as int_text__interaction_sentiment); the topic is the taxonomy topic with the most keyword hits, the first
-- mentioned on a tie, a phrase overriding the words inside it (as int_text__term_matches / interaction_topics).
-- A text the model has no token of, or in another language, is neutral (score 0); without a keyword, unclassified.
with

posts as (

    select * from {{ ref('int_social__posts') }}

),

model_weights as (

    select * from {{ ref('sentiment_model_weights') }}

),

topic_taxonomy as (

    select * from {{ ref('topic_taxonomy') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

excluded_words as (

    select
        list_distinct(list_concat(
            coalesce(list(lower(username)), []),
            [{% for word in var('sentiment_excluded_words') %}'{{ word | lower }}'{{ ', ' if not loop.last }}
            {% endfor %}]
        ))::varchar [] as words
    from brand_accounts

),

english_tokens as (

    select
        posts.social_post_key,
        unnest({{ sentiment_tokens('posts.post_text', 'excluded_words.words') }}) as token
    from posts
    cross join excluded_words
    where {{ source_language('posts.source_system') }} = 'en' and posts.post_text is not null

),

model_sums as (

    select
        english_tokens.social_post_key,
        sum(model_weights.negative) as negative,
        sum(model_weights.neutral) as neutral,
        sum(model_weights.positive) as positive
    from english_tokens
    inner join model_weights on english_tokens.token = model_weights.token
    group by english_tokens.social_post_key

),

model_bias as (

    select * from model_weights
    where token = '<bias>'

),

model_logits as (

    select
        model_sums.social_post_key,
        model_sums.negative + model_bias.negative as negative,
        model_sums.neutral + model_bias.neutral as neutral,
        model_sums.positive + model_bias.positive as positive
    from model_sums
    cross join model_bias

),

model_probabilities as (

    select
        social_post_key,
        exp(negative - greatest(negative, neutral, positive)) as negative,
        exp(neutral - greatest(negative, neutral, positive)) as neutral,
        exp(positive - greatest(negative, neutral, positive)) as positive
    from model_logits

),

sentiment as (

    select
        social_post_key,
        round((positive - negative) / (negative + neutral + positive), 4) as sentiment_score,
        case greatest(negative, neutral, positive)
            when negative then 'negative'
            when positive then 'positive'
            else 'neutral'
        end as sentiment_label
    from model_probabilities

),

keywords as (

    select
        topic,
        {{ words_of('keyword') }} as words
    from topic_taxonomy

),

split_keywords as (

    select distinct
        topic,
        words[1] as first_word,
        len(words) as word_count,
        array_to_string(words, ' ') as normalized_term
    from keywords

),

tokenized as (

    select
        social_post_key,
        {{ words_of('post_text') }} as words
    from posts
    where post_text is not null

),

tokens as (

    select
        social_post_key,
        unnest(words) as word,
        unnest(range(1, len(words) + 1)) as word_position
    from tokenized

),

matches as (

    select
        tokens.social_post_key,
        tokens.word_position,
        split_keywords.topic,
        split_keywords.word_count
    from tokens
    inner join split_keywords on tokens.word = split_keywords.first_word
    inner join tokenized on tokens.social_post_key = tokenized.social_post_key
    where
        split_keywords.word_count = 1
        or array_to_string(
            tokenized.words[tokens.word_position:tokens.word_position + split_keywords.word_count - 1], ' '
        ) = split_keywords.normalized_term

),

topic_hits as (

    select
        shorter.social_post_key,
        shorter.topic,
        count(*) as keyword_hits,
        min(shorter.word_position) as first_position
    from matches as shorter
    where
        not exists (
            select 1
            from matches as longer
            where
                longer.social_post_key = shorter.social_post_key
                and longer.word_count > shorter.word_count
                and longer.word_position <= shorter.word_position
                and longer.word_position + longer.word_count >= shorter.word_position + shorter.word_count
        )
    group by shorter.social_post_key, shorter.topic

),

topics as (

    select
        social_post_key,
        topic
    from topic_hits
    qualify row_number() over (
        partition by social_post_key order by keyword_hits desc, first_position asc, topic asc
    ) = 1

),

final as (

    select
        posts.social_post_key,
        coalesce(sentiment.sentiment_label, 'neutral') as sentiment_label,
        coalesce(sentiment.sentiment_score, 0.0) as sentiment_score,
        coalesce(topics.topic, 'unclassified') as topic
    from posts
    left join sentiment on posts.social_post_key = sentiment.social_post_key
    left join topics on posts.social_post_key = topics.social_post_key

)

select * from final

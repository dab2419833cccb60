-- Sentiment and topic of the brand's own post texts, by the same text models as interactions (macros
-- sentiment_model_scores and term_hits): English texts are scored by the learned sentiment model; the topic is the
-- taxonomy topic with the most keyword hits, the first mentioned on a tie (as int_text__interaction_topics).
-- A text the model has no token of, or in another language, is neutral (score 0); without a keyword, unclassified.
with

posts as (

    select * from {{ ref('int_social__posts') }}

),

topic_taxonomy as (

    select * from {{ ref('topic_taxonomy') }}

),

english_posts as (

    select
        social_post_key,
        post_text
    from posts
    where {{ source_language('source_system') }} = 'en'

),

sentiment as (

    select * from {{ sentiment_model_scores('english_posts', 'social_post_key', 'post_text') }} as scores

),

keywords as (

    select distinct
        'topic' as term_kind,
        lower(keyword) as term
    from topic_taxonomy

),

keyword_hits as (

    select * from {{ term_hits('posts', 'social_post_key', 'post_text', 'keywords') }} as hits

),

topic_hits as (

    select
        keyword_hits.social_post_key,
        topic_taxonomy.topic,
        count(*) as keyword_hits,
        min(keyword_hits.word_position) as first_position
    from keyword_hits
    inner join topic_taxonomy on keyword_hits.term = lower(topic_taxonomy.keyword)
    group by keyword_hits.social_post_key, topic_taxonomy.topic

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
        round(coalesce(sentiment.sentiment_score, 0.0), 4) as sentiment_score,
        coalesce(topics.topic, 'unclassified') as topic
    from posts
    left join sentiment on posts.social_post_key = sentiment.social_post_key
    left join topics on posts.social_post_key = topics.social_post_key

)

select * from final

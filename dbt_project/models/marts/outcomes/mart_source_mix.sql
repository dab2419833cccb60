-- Month x channel group x source class: who writes to us (clients, prospects, influencers, unknowns) on each
-- channel, how much, and how they feel.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

final as (

    select
        channel_group,
        source_class,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month_start,
        count(*) as interactions,
        count(case when sentiment_label = 'negative' then 1 end) as negative_interactions,
        count(case when sentiment_label = 'positive' then 1 end) as positive_interactions,
        avg(sentiment_score) as avg_sentiment,
        1.0 * count(case when sentiment_label = 'negative' then 1 end) / count(*) as negative_share
    from interactions
    where direction = 'inbound' and body is not null
    group by channel_group, source_class, cast({{ dbt.date_trunc('month', 'occurred_at') }} as date)

)

select * from final

-- Daily metrics of the brand's own X posts, additive like every int_fivetran_<connector>__social_post_metrics model.
-- X public metrics are lifetime counts as of each pull, and the extractor pulls a post again on every run while it
-- is recent: the latest pull of each UTC day is the post's lifetime as of that day, and a day's value is the
-- increment over the post's previous pulled day (the first day carries everything before it). So a post's days add
-- up to its latest lifetime counts and the marts never count a pull twice. Public metrics have no reach, clicks or
-- video views; engagements are the public interactions: likes, replies, reposts, quotes and bookmarks.

with

pulls as (

    select * from {{ ref('stg_x__own_tweet_pulls') }}

),

daily_lifetime as (

    select
        tweet_id,
        cast(pulled_at as date) as metric_date,
        coalesce(impression_count, 0) as impression_count,
        coalesce(like_count, 0) as like_count,
        coalesce(reply_count, 0) as reply_count,
        coalesce(retweet_count, 0) as retweet_count,
        coalesce(quote_count, 0) as quote_count,
        coalesce(bookmark_count, 0) as bookmark_count
    from pulls
    qualify row_number() over (partition by tweet_id, cast(pulled_at as date) order by pulled_at desc) = 1

),

increments as (

    select
        tweet_id,
        metric_date,
        impression_count - coalesce(lag(impression_count ignore nulls) over by_post, 0) as impression_count,
        like_count - coalesce(lag(like_count ignore nulls) over by_post, 0) as like_count,
        reply_count - coalesce(lag(reply_count ignore nulls) over by_post, 0) as reply_count,
        retweet_count - coalesce(lag(retweet_count ignore nulls) over by_post, 0) as retweet_count,
        quote_count - coalesce(lag(quote_count ignore nulls) over by_post, 0) as quote_count,
        bookmark_count - coalesce(lag(bookmark_count ignore nulls) over by_post, 0) as bookmark_count
    from daily_lifetime
    window by_post as (partition by tweet_id order by metric_date)

),

final as (

    select
        'x' as source_system,
        'x' as platform,
        cast(tweet_id as varchar) as post_id,
        metric_date,
        cast(impression_count as bigint) as impressions,
        cast(null as bigint) as reach,
        cast(like_count as bigint) as likes,
        cast(reply_count as bigint) as comments,  -- noqa: RF04
        cast(retweet_count + quote_count as bigint) as shares,  -- noqa: RF04
        cast(bookmark_count as bigint) as saves,
        cast(null as bigint) as clicks,
        cast(null as bigint) as video_views,
        cast(like_count + reply_count + retweet_count + quote_count + bookmark_count as bigint) as engagements
    from increments

)

select * from final

{{ config(enabled=fivetran_enabled('twitter_organic')) }}

-- The brand's published tweets; replies are conversations, not posts (as for the X API's own tweets).
with

tweets as (

    select * from {{ ref('stg_fivetran_twitter_organic__tweets') }}

),

users as (

    select * from {{ ref('stg_fivetran_twitter_organic__users') }}

),

final as (

    select
        'twitter_organic' as source_system,
        'x' as platform,
        tweets.user_id as account_id,
        users.screen_name as account_name,
        tweets.tweet_id as post_id,
        tweets.created_at as published_at,
        tweets.tweet_text as post_text,
        'status' as post_type,
        'https://x.com/' || coalesce(users.screen_name, 'i/web') || '/status/' || tweets.tweet_id as post_url
    from tweets
    left join users on tweets.user_id = users.user_id
    where
        coalesce(tweets.tweet_type, 'PUBLISHED') = 'PUBLISHED'
        and tweets.in_reply_to_status_id is null

)

select * from final

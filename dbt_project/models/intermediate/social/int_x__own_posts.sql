-- The brand's own posts on X: tweets from the own-timeline pulls (extract/x_api.py pull_own_tweets), and brand posts
-- found by the mentions search (a brand_accounts handle replying to nobody) for deployments that only pull mentions.
-- Text and type from the latest pull; the handle from brand_accounts, else from the X users seen.
with

pulls as (

    select * from {{ ref('stg_x__own_tweet_pulls') }}

),

searched as (

    select * from {{ ref('stg_x__tweets') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

users as (

    select * from {{ ref('stg_x__users') }}

),

pulled_posts as (

    select
        tweet_id,
        author_id,
        created_at,
        tweet_text,
        post_type,
        0 as preference
    from pulls
    qualify row_number() over (partition by tweet_id order by pulled_at desc) = 1

),

searched_posts as (

    select
        searched.tweet_id,
        searched.author_id,
        searched.created_at,
        searched.tweet_text,
        'post' as post_type,
        1 as preference
    from searched
    inner join brand_accounts on searched.author_id = cast(brand_accounts.x_user_id as varchar)
    where searched.in_reply_to_user_id is null and searched.replied_to_tweet_id is null

),

own_posts as (

    select * from pulled_posts
    union all
    select * from searched_posts

),

handles as (

    select
        user_id,
        username
    from users

),

final as (

    select
        'x' as source_system,
        'x' as platform,
        cast(own_posts.author_id as varchar) as account_id,
        cast(coalesce(brand_accounts.username, handles.username) as varchar) as account_name,
        cast(own_posts.tweet_id as varchar) as post_id,
        own_posts.created_at as published_at,
        cast(own_posts.tweet_text as varchar) as post_text,
        cast(own_posts.post_type as varchar) as post_type,
        'https://x.com/' || coalesce(brand_accounts.username, handles.username, 'i/web') || '/status/'
        || own_posts.tweet_id as post_url
    from own_posts
    left join brand_accounts on own_posts.author_id = cast(brand_accounts.x_user_id as varchar)
    left join handles on own_posts.author_id = handles.user_id
    qualify row_number() over (partition by own_posts.tweet_id order by own_posts.preference) = 1

)

select * from final

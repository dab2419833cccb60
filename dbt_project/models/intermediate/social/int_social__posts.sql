-- Every post the brand published, from the X API extractor's own tweets and each enabled social connector. A tweet
-- that both the X extractor and the twitter_organic connector bring is kept once, from the connector (which carries
-- its impressions).
with

posts as (

    select * from {{ ref('int_x__own_posts') }}
    {{ fivetran_union('social_posts') }}

),

final as (

    select
        source_system,
        platform,
        account_id,
        account_name,
        post_id,
        published_at,
        post_text,
        post_type,
        post_url,
        source_system || ':' || post_id as social_post_key
    from posts
    where post_id is not null
    qualify row_number() over (
        partition by platform, post_id order by case when source_system = 'x' then 1 else 0 end, source_system
    ) = 1

)

select * from final

-- Replies whose parent message is not in the loaded data (a sample, or one side of an export): kept as interactions
-- and, when inbound, as conversations of their own; counted here so the run summary can say how many there are.
with

twcs_tweets as (

    select * from {{ ref('stg_twcs__tweets') }}

),

final as (

    select
        replies.in_response_to_tweet_id as missing_parent_id,
        replies.is_inbound,
        replies.created_at,
        'twcs' as source_system,
        'twcs:' || replies.tweet_id as message_id
    from twcs_tweets as replies
    left join twcs_tweets as parents on replies.in_response_to_tweet_id = parents.tweet_id
    where replies.in_response_to_tweet_id is not null and parents.tweet_id is null

)

select * from final

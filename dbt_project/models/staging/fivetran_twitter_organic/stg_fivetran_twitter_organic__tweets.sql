{{ config(enabled=fivetran_enabled('twitter_organic')) }}

with

source as (

    select * from {{ source('fivetran_twitter_organic', 'tweet') }}

),

renamed as (

    select
        cast(id as varchar) as tweet_id,
        cast(user_id as varchar) as user_id,
        cast(account_id as varchar) as ads_account_id,
        full_test as tweet_text,
        cast(in_reply_to_status_id as varchar) as in_reply_to_status_id,
        upper(cast(tweet_type as varchar)) as tweet_type,
        {{ utc_timestamp('cast(created_at as varchar)') }} as created_at,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by tweet_id order by _fivetran_synced desc) = 1

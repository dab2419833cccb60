{{ config(enabled=fivetran_enabled('twitter_organic')) }}

with

source as (

    select * from {{ source('fivetran_twitter_organic', 'twitter_user_history') }}

),

renamed as (

    select
        cast(id as varchar) as user_id,
        cast(screen_name as varchar) as screen_name,
        cast(name as varchar) as user_name,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by user_id order by _fivetran_synced desc) = 1

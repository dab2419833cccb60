{{ config(enabled=fivetran_enabled('instagram_business')) }}

with

source as (

    select * from {{ source('fivetran_instagram_business', 'user_history') }}

),

renamed as (

    select
        cast(id as varchar) as user_id,
        cast(username as varchar) as username,
        cast(name as varchar) as user_name,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by user_id order by _fivetran_synced desc) = 1

{{ config(enabled=fivetran_enabled('klaviyo')) }}

with

source as (

    select * from {{ source('fivetran_klaviyo', 'campaign') }}

),

renamed as (

    select
        cast(id as varchar) as campaign_id,
        cast("name" as varchar) as campaign_name
    from source
    where not coalesce(cast(_fivetran_deleted as boolean), false)

)

select * from renamed

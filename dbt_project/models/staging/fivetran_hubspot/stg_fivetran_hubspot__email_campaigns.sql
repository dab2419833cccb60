{{ config(enabled=fivetran_enabled('hubspot')) }}

with

source as (

    select * from {{ source('fivetran_hubspot', 'email_campaign') }}

),

renamed as (

    select
        cast(id as varchar) as email_campaign_id,
        cast(name as varchar) as campaign_name,
        cast(subject as varchar) as subject
    from source
    qualify row_number() over (partition by id order by _fivetran_synced desc) = 1

)

select * from renamed

{{ config(enabled=fivetran_enabled('klaviyo')) }}

with

source as (

    select * from {{ source('fivetran_klaviyo', 'person') }}

),

renamed as (

    select
        cast(id as varchar) as person_id,
        lower(nullif(trim(cast(email as varchar)), '')) as email
    from source
    where not coalesce(cast(_fivetran_deleted as boolean), false)

)

select * from renamed

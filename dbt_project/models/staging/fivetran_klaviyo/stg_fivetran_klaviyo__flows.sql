{{ config(enabled=fivetran_enabled('klaviyo')) }}

with

source as (

    select * from {{ source('fivetran_klaviyo', 'flow') }}

),

renamed as (

    select
        cast(id as varchar) as flow_id,
        cast("name" as varchar) as flow_name
    from source
    where not coalesce(cast(_fivetran_deleted as boolean), false)

)

select * from renamed

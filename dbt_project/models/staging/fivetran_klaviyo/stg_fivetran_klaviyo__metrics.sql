{{ config(enabled=fivetran_enabled('klaviyo')) }}

with

source as (

    select * from {{ source('fivetran_klaviyo', 'metric') }}

),

renamed as (

    select
        cast(id as varchar) as metric_id,
        cast("name" as varchar) as metric_name,
        cast(integration_name as varchar) as integration_name
    from source
    where not coalesce(cast(_fivetran_deleted as boolean), false)

)

select * from renamed

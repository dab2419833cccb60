{{ config(enabled=fivetran_enabled('linkedin_pages')) }}

with

source as (

    select * from {{ source('fivetran_linkedin_pages', 'organization') }}

),

renamed as (

    select
        cast(id as varchar) as organization_id,
        cast(coalesce(localized_name, vanity_name) as varchar) as organization_name,
        cast(vanity_name as varchar) as vanity_name,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select * from renamed
qualify row_number() over (partition by organization_id order by _fivetran_synced desc) = 1

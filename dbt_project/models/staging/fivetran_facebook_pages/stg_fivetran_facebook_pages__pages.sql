{{ config(enabled=fivetran_enabled('facebook_pages')) }}

with

source as (

    select * from {{ source('fivetran_facebook_pages', 'page') }}

),

renamed as (

    select
        cast(id as varchar) as page_id,
        cast(name as varchar) as page_name,
        cast(_fivetran_deleted as boolean) as _fivetran_deleted,
        cast(_fivetran_synced as timestamp) as _fivetran_synced
    from source

)

select
    page_id,
    page_name,
    _fivetran_synced
from renamed
where not coalesce(_fivetran_deleted, false)
qualify row_number() over (partition by page_id order by _fivetran_synced desc) = 1

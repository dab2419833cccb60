with

source as (

    select * from {{ source('file_drops', 'file_drop_opportunities') }}

)

select * from source

with

source as (

    select * from {{ source('file_drops', 'file_drop_contacts') }}

)

select * from source

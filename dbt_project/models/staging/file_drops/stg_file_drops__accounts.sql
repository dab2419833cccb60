with

source as (

    select * from {{ source('file_drops', 'file_drop_accounts') }}

)

select * from source

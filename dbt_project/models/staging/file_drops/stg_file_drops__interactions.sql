with

source as (

    select * from {{ source('file_drops', 'file_drop_interactions') }}

)

select * from source

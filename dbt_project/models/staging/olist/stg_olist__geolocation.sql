with

source as (

    select * from {{ source('olist', 'olist_geolocation') }}

),

renamed as (

    select
        lpad(cast({{ integer_from_text('geolocation_zip_code_prefix') }} as varchar), 5, '0') as zip_code_prefix,
        cast({{ blank_as_null('geolocation_lat') }} as double) as latitude,
        cast({{ blank_as_null('geolocation_lng') }} as double) as longitude,
        geolocation_city as city,
        geolocation_state as state
    from source

)

select * from renamed

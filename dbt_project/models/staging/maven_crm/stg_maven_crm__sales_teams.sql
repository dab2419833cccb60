with

source as (

    select * from {{ source('maven_crm', 'maven_sales_teams') }}

),

renamed as (

    select
        sales_agent,
        manager,
        regional_office,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    select * exclude (_loaded_at_for_dedup, _source_file_for_dedup)
    from renamed
    qualify
        row_number() over (partition by sales_agent order by _loaded_at_for_dedup desc, _source_file_for_dedup desc) = 1

)

select * from deduplicated

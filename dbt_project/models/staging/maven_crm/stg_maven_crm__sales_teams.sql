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

    {{ latest_version('renamed', 'sales_agent') }}

)

select * from deduplicated

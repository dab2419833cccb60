with

source as (

    select * from {{ source('maven_crm', 'maven_accounts') }}

),

renamed as (

    select
        account as account_name,
        -- The export misspells one sector; the rest are kept as written.
        case sector when 'technolgy' then 'technology' else sector end as sector,
        {{ integer_from_text('year_established') }} as year_established,
        -- Annual revenue in millions of US dollars.
        cast({{ blank_as_null('revenue') }} as decimal(18, 2)) as annual_revenue_musd,
        {{ integer_from_text('employees') }} as employee_count,
        office_location,
        {{ blank_as_null('subsidiary_of') }} as parent_account_name,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'account_name') }}

)

select * from deduplicated

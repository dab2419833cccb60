with

source as (

    select * from {{ source('crm', 'crm_accounts') }}

),

renamed as (

    select
        "Id" as account_id,
        "Name" as account_name,
        "Industry" as industry,
        cast({{ blank_as_null('"AnnualRevenue"') }} as decimal(18, 2)) as annual_revenue,
        cast({{ blank_as_null('"NumberOfEmployees"') }} as integer) as number_of_employees,
        "BillingCountry" as billing_country,
        "Type" as account_type,
        {{ utc_timestamp('"CreatedDate"', source_time_zone('crm')) }} as created_at,
        {{ utc_timestamp('"LastModifiedDate"', source_time_zone('crm')) }} as last_modified_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'account_id', 'last_modified_at') }}

)

select * from deduplicated

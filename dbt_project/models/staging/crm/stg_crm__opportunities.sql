with

source as (

    select * from {{ source('crm', 'crm_opportunities') }}

),

renamed as (

    select
        "Id" as opportunity_id,
        "AccountId" as account_id,
        {{ blank_as_null('"ContactId"') }} as contact_id,
        "Name" as opportunity_name,
        "StageName" as stage_name,
        cast({{ blank_as_null('"Amount"') }} as decimal(18, 2)) as amount,
        cast({{ blank_as_null('"Probability"') }} as integer) as probability,
        {{ utc_timestamp('"CreatedDate"', source_time_zone('crm')) }} as created_at,
        cast({{ blank_as_null('"CloseDate"') }} as date) as close_date,
        cast("IsClosed" as boolean) as is_closed,
        cast("IsWon" as boolean) as is_won,
        "LeadSource" as lead_source,
        {{ utc_timestamp('"LastModifiedDate"', source_time_zone('crm')) }} as last_modified_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'opportunity_id', 'last_modified_at') }}

)

select * from deduplicated

with

source as (

    select * from {{ source('crm', 'crm_contacts') }}

),

renamed as (

    select
        "Id" as contact_id,
        "AccountId" as account_id,
        "FirstName" as first_name,
        "LastName" as last_name,
        lower({{ blank_as_null('"Email"') }}) as email,
        lower(ltrim({{ blank_as_null('"Twitter_Handle__c"') }}, '@')) as twitter_handle,
        "Title" as title,
        "LeadSource" as lead_source,
        {{ utc_timestamp('"CreatedDate"', source_time_zone('crm')) }} as created_at,
        {{ utc_timestamp('"LastModifiedDate"', source_time_zone('crm')) }} as last_modified_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'contact_id', 'last_modified_at') }}

)

select * from deduplicated

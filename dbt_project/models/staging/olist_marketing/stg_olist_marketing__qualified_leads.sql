with

source as (

    select * from {{ source('olist_marketing', 'olist_marketing_qualified_leads') }}

),

renamed as (

    select
        mql_id,
        cast({{ blank_as_null('first_contact_date') }} as date) as first_contact_date,
        landing_page_id,
        coalesce({{ blank_as_null('origin') }}, 'unknown') as origin_channel,
        _loaded_at as _loaded_at_for_dedup,
        _source_file as _source_file_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'mql_id') }}

)

select * from deduplicated

with

source as (

    select * from {{ source('email', 'email_events') }}

),

renamed as (

    select
        sg_event_id as email_event_id,
        lower(trim(email)) as email,
        event as event_type,
        {{ utc_from_unix_seconds('"timestamp"') }} as occurred_at,
        sg_message_id,
        url as clicked_url,
        useragent as user_agent,
        category as categories,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'email_event_id') }}

)

select * from deduplicated

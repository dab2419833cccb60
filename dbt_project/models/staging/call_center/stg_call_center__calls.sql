with

source as (

    select * from {{ source('call_center', 'call_center_calls') }}

),

renamed as (

    select
        call_id,
        direction,
        from_number,
        to_number,
        lower({{ blank_as_null('contact_email') }}) as contact_email,
        queue as team_name,
        {{ blank_as_null('agent_id') }} as agent_id,
        {{ utc_timestamp('started_at', source_time_zone('call_center')) }} as started_at,
        {{ utc_timestamp('answered_at', source_time_zone('call_center')) }} as answered_at,
        {{ utc_timestamp('ended_at', source_time_zone('call_center')) }} as ended_at,
        cast({{ blank_as_null('wait_seconds') }} as integer) as wait_seconds,
        cast({{ blank_as_null('talk_seconds') }} as integer) as talk_seconds,
        disposition,
        {{ blank_as_null('answered_at') }} is not null as is_answered,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'call_id') }}

)

select * from deduplicated

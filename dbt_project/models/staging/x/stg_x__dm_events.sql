with

source as (

    select * from {{ source('x', 'x_dm_events') }}

),

renamed as (

    select
        id as dm_event_id,
        event_type,
        text as message_text,
        sender_id,
        dm_conversation_id,
        {{ utc_timestamp('created_at', source_time_zone('x')) }} as created_at,
        participant_ids,
        _batch_id,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'dm_event_id') }}

)

select * from deduplicated

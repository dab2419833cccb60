with

source as (

    select * from {{ source('zendesk', 'zendesk_groups') }}

),

renamed as (

    select
        id as group_id,
        name as team_name,
        {{ utc_timestamp('created_at', source_time_zone('zendesk')) }} as created_at,
        {{ utc_timestamp('updated_at', source_time_zone('zendesk')) }} as updated_at,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'group_id', 'updated_at') }}

)

select * from deduplicated

with

source as (

    select * from {{ source('zendesk', 'zendesk_users') }}

),

renamed as (

    select
        id as user_id,
        name as user_name,
        lower({{ blank_as_null('email') }}) as email,
        role,
        {{ utc_timestamp('created_at', source_time_zone('zendesk')) }} as created_at,
        {{ utc_timestamp('updated_at', source_time_zone('zendesk')) }} as updated_at,
        _loaded_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'user_id', 'updated_at') }}

)

select * from deduplicated

with

source as (

    select * from {{ source('community', 'community_ideas') }}

),

renamed as (

    select
        id as idea_id,
        title,
        details,
        status as idea_status,
        score,
        "commentCount" as comment_count,
        {{ utc_timestamp('created', source_time_zone('community')) }} as created_at,
        author ->> 'id' as author_id,
        author ->> 'name' as author_name,
        lower(trim(author ->> 'email')) as author_email,
        board ->> 'name' as board_name,
        category ->> 'name' as category_name,
        tags,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    {{ latest_version('renamed', 'idea_id') }}

)

select * from deduplicated

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
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        _source_file as _source_file_for_dedup,
        _loaded_at as _loaded_at_for_dedup
    from source

),

deduplicated as (

    select * exclude (_source_file_for_dedup, _loaded_at_for_dedup)
    from renamed
    qualify row_number() over (partition by user_id order by updated_at desc, _loaded_at_for_dedup desc) = 1

)

select * from deduplicated

-- Every version of every contact (type 2, from the snapshot).
with

snapshot as (

    select * from {{ ref('snap_canonical__contacts') }}

),

final as (

    select
        dbt_scd_id as contact_version_key,
        contact_key,
        source_system,
        contact_id,
        account_key,
        email,
        social_handle,
        full_name,
        city,
        region,
        created_at,
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        dbt_valid_to is null as is_current
    from snapshot

)

select * from final

{{ config(enabled=fivetran_enabled('zendesk')) }}

with

users as (

    select * from {{ ref('stg_fivetran_zendesk__users') }}

),

final as (

    select
        'zendesk' as source_system,
        user_id as actor_id,
        email,
        cast(null as varchar) as social_handle,
        coalesce(user_role in ('agent', 'admin'), false) as is_own_brand
    from users

)

select * from final

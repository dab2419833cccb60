{{ config(enabled=fivetran_enabled('zendesk')) }}

-- The customers: end-users (agents and admins work for the business and are actors only).
with

users as (

    select * from {{ ref('stg_fivetran_zendesk__users') }}

),

final as (

    select
        user_id as contact_id,
        email,
        full_name,
        created_at,
        'zendesk' as source_system,
        cast(null as varchar) as social_handle,
        cast(null as varchar) as city,
        cast(null as varchar) as region,
        'zendesk:' || organization_id as account_key
    from users
    where user_role = 'end-user'

)

select * from final

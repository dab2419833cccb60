{{ config(enabled=fivetran_enabled('intercom')) }}

-- Contacts write for the customer; admins (teammates) and bots write for the business. Bots are not in `admin`:
-- they are known from the parts they wrote.
with

contacts as (

    select * from {{ ref('stg_fivetran_intercom__contacts') }}

),

admins as (

    select * from {{ ref('stg_fivetran_intercom__admins') }}

),

parts as (

    select * from {{ ref('stg_fivetran_intercom__conversation_parts') }}

),

people as (

    select
        admin_id as actor_id,
        email,
        true as is_own_brand,
        1 as preference
    from admins
    union all
    select distinct
        author_id as actor_id,
        cast(null as varchar) as email,
        true as is_own_brand,
        2 as preference
    from parts
    where author_type = 'bot' and author_id is not null
    union all
    select
        contact_id as actor_id,
        email,
        false as is_own_brand,
        3 as preference
    from contacts

),

final as (

    select
        actor_id,
        email,
        is_own_brand,
        'intercom' as source_system,
        cast(null as varchar) as social_handle
    from people
    qualify row_number() over (partition by actor_id order by preference) = 1

)

select * from final

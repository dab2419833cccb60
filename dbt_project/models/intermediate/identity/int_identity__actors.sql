-- Everyone who wrote an interaction, once per source system, with what each source tells about them: an email,
-- a social handle, a follower count, whether the actor is the brand itself, and a CRM contact id if the source has one.
with

interactions as (

    select * from {{ ref('int_canonical__interactions') }}

),

x_users as (

    select * from {{ ref('stg_x__users') }}

),

brand_accounts as (

    select * from {{ ref('brand_accounts') }}

),

zendesk_users as (

    select * from {{ ref('stg_zendesk__users') }}

),

reviews as (

    select * from {{ ref('stg_reviews__reviews') }}

),

ideas as (

    select * from {{ ref('stg_community__ideas') }}

),

contacts as (

    select * from {{ ref('int_canonical__contacts') }}

),

-- People as the enabled connector schemas know them (int_fivetran_<connector>__actors).
connector_actors as (

    select
        cast(null as varchar) as source_system,
        cast(null as varchar) as actor_id,
        cast(null as varchar) as email,
        cast(null as varchar) as social_handle,
        cast(null as boolean) as is_own_brand
    where false
    {{ fivetran_union('actors') }}

),

actors as (

    select
        source_system,
        actor_id,
        bool_or(direction = 'outbound') as has_outbound
    from interactions
    where actor_id is not null
    group by source_system, actor_id

),

review_authors as (

    select distinct
        coalesce(author_email, author_handle, author_name) as actor_id,
        lower(trim(author_email)) as email,
        lower(trim(author_handle)) as social_handle
    from reviews

),

idea_authors as (

    select
        author_id as actor_id,
        lower(trim(any_value(author_email))) as email
    from ideas
    group by author_id

),

final as (

    select
        actors.source_system,
        actors.actor_id,
        x_users.followers_count,
        -- Sources that identify people by the CRM's own contact id (Olist customers, file drops mapped to contacts).
        contacts.contact_key as crm_contact_key,
        actors.source_system || ':' || actors.actor_id as actor_key,
        coalesce(zendesk_users.email, review_authors.email, idea_authors.email, connector_actors.email) as email,
        coalesce(
            x_users.username_normalized, review_authors.social_handle, connector_actors.social_handle
        ) as social_handle,
        -- The brand: its X accounts, Zendesk agents and admins, and whoever answers for it in a twcs export.
        coalesce(
            brand_accounts.x_user_id is not null
            or zendesk_users.role in ('agent', 'admin')
            or (actors.source_system = 'twcs' and actors.has_outbound)
            or connector_actors.is_own_brand,
            false
        ) as is_own_brand
    from actors
    left join x_users
        on actors.source_system = 'x' and actors.actor_id = x_users.user_id
    left join brand_accounts
        on actors.source_system = 'x' and actors.actor_id = brand_accounts.x_user_id
    left join zendesk_users
        on actors.source_system = 'zendesk' and actors.actor_id = cast(zendesk_users.user_id as varchar)
    left join review_authors
        on actors.source_system = 'reviews' and actors.actor_id = review_authors.actor_id
    left join idea_authors
        on actors.source_system = 'community' and actors.actor_id = idea_authors.actor_id
    left join contacts
        on actors.source_system = contacts.source_system and actors.actor_id = contacts.contact_id
    left join connector_actors
        on actors.source_system = connector_actors.source_system and actors.actor_id = connector_actors.actor_id

)

select * from final

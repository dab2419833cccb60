-- Each actor linked to at most one CRM contact (and its account), by the first method that finds one: the CRM's own
-- contact id, then email, then social handle. Actors no method matches stay, as `unmatched`.
with

actors as (

    select * from {{ ref('int_identity__actors') }}

),

contacts as (

    select * from {{ ref('int_canonical__contacts') }}

),

-- When two contacts share an email or a handle, the lowest key wins, so a rerun always picks the same one.
contacts_by_email as (

    select
        email,
        min(contact_key) as contact_key
    from contacts
    where email is not null
    group by email

),

contacts_by_handle as (

    select
        lower(social_handle) as social_handle,
        min(contact_key) as contact_key
    from contacts
    where social_handle is not null
    group by lower(social_handle)

),

matched as (

    select
        actors.actor_key,
        actors.source_system,
        actors.actor_id,
        actors.is_own_brand,
        actors.followers_count,
        coalesce(actors.crm_contact_key, contacts_by_email.contact_key, contacts_by_handle.contact_key) as contact_key,
        case
            when actors.crm_contact_key is not null then 'crm_id'
            when contacts_by_email.contact_key is not null then 'email'
            when contacts_by_handle.contact_key is not null then 'social_handle'
            else 'unmatched'
        end as match_method
    from actors
    left join contacts_by_email on actors.email = contacts_by_email.email
    left join contacts_by_handle on actors.social_handle = contacts_by_handle.social_handle

),

final as (

    select
        matched.*,
        contacts.account_key
    from matched
    left join contacts on matched.contact_key = contacts.contact_key

)

select * from final

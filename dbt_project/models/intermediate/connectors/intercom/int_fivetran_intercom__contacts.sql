{{ config(enabled=fivetran_enabled('intercom')) }}

-- Users and leads; a contact's account is its company (stg_fivetran_intercom__contact_companies picks one).
with

contacts as (

    select * from {{ ref('stg_fivetran_intercom__contacts') }}

),

contact_companies as (

    select * from {{ ref('stg_fivetran_intercom__contact_companies') }}

),

final as (

    select
        contacts.contact_id,
        contacts.email,
        contacts.full_name,
        contacts.city,
        contacts.region,
        contacts.created_at,
        'intercom' as source_system,
        cast(null as varchar) as social_handle,
        'intercom:' || contact_companies.company_id as account_key
    from contacts
    left join contact_companies on contacts.contact_id = contact_companies.contact_id

)

select * from final

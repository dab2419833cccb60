{{ config(enabled=fivetran_enabled('hubspot')) }}
-- HubSpot contacts; the account is the contact's primary company when it is a live company.
with

contacts as (

    select * from {{ ref('stg_fivetran_hubspot__contacts') }}

),

companies as (

    select * from {{ ref('stg_fivetran_hubspot__companies') }}

),

final as (

    select
        contacts.contact_id,
        contacts.email,
        contacts.full_name,
        contacts.city,
        contacts.region,
        contacts.created_at,
        'hubspot' as source_system,
        cast(null as varchar) as social_handle,
        'hubspot:' || companies.company_id as account_key
    from contacts
    left join companies on contacts.company_id = companies.company_id

)

select * from final

{{ config(enabled=fivetran_enabled('salesforce')) }}
-- Salesforce contacts, and the leads not converted yet (`lead:<id>`): a lead is a person the business talks to
-- before there is a contact, and tasks name leads as their `who_id`. A converted lead is its contact.
with

contacts as (

    select * from {{ ref('stg_fivetran_salesforce__contacts') }}

),

leads as (

    select * from {{ ref('stg_fivetran_salesforce__leads') }}

),

from_contacts as (

    select
        'salesforce' as source_system,
        contact_id,
        'salesforce:' || account_id as account_key,
        email,
        cast(null as varchar) as social_handle,
        full_name,
        city,
        region,
        created_at
    from contacts

),

from_leads as (

    select
        'salesforce' as source_system,
        'lead:' || lead_id as contact_id,
        cast(null as varchar) as account_key,
        email,
        cast(null as varchar) as social_handle,
        full_name,
        city,
        region,
        created_at
    from leads
    where not is_converted

),

final as (

    select * from from_contacts
    union all
    select * from from_leads

)

select * from final

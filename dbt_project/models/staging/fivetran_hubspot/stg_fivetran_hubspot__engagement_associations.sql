{{ config(enabled=fivetran_enabled('hubspot')) }}

with

engagement_contact as (

    select * from {{ source('fivetran_hubspot', 'engagement_contact') }}

),

engagement_company as (

    select * from {{ source('fivetran_hubspot', 'engagement_company') }}

),

contacts as (

    select
        cast(engagement_id as varchar) as engagement_id,
        'contact' as object_type,
        cast(contact_id as varchar) as object_id
    from engagement_contact

),

companies as (

    select
        cast(engagement_id as varchar) as engagement_id,
        'company' as object_type,
        cast(company_id as varchar) as object_id
    from engagement_company

),

final as (

    select distinct * from contacts
    union all
    select distinct * from companies

)

select * from final

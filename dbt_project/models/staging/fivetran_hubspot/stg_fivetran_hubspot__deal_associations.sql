{{ config(enabled=fivetran_enabled('hubspot')) }}

with

deal_company as (

    select * from {{ source('fivetran_hubspot', 'deal_company') }}

),

deal_contact as (

    select * from {{ source('fivetran_hubspot', 'deal_contact') }}

),

companies as (

    select
        cast(deal_id as varchar) as deal_id,
        'company' as object_type,
        cast(company_id as varchar) as object_id
    from deal_company

),

contacts as (

    select
        cast(deal_id as varchar) as deal_id,
        'contact' as object_type,
        cast(contact_id as varchar) as object_id
    from deal_contact

),

final as (

    select distinct * from companies
    union all
    select distinct * from contacts

)

select * from final

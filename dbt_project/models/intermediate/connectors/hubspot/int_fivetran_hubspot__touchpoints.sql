{{ config(enabled=fivetran_enabled('hubspot')) }}
-- HubSpot touchpoints: calls, logged emails and meetings (engagements, on their first associated contact and
-- company), and marketing email events by recipient.
with

engagements as (

    select * from {{ ref('stg_fivetran_hubspot__engagements') }}

),

associations as (

    select * from {{ ref('stg_fivetran_hubspot__engagement_associations') }}

),

email_events as (

    select * from {{ ref('stg_fivetran_hubspot__email_events') }}

),

email_campaigns as (

    select * from {{ ref('stg_fivetran_hubspot__email_campaigns') }}

),

contacts as (

    select * from {{ ref('stg_fivetran_hubspot__contacts') }}

),

engagement_people as (

    select
        engagement_id,
        min(case when object_type = 'contact' then object_id end) as contact_id,
        min(case when object_type = 'company' then object_id end) as company_id
    from associations
    group by engagement_id

),

from_engagements as (

    select
        'hubspot' as source_system,
        'engagement:' || engagements.engagement_id as touchpoint_id,
        'hubspot:' || engagement_people.contact_id as contact_key,
        contacts.email as contact_email,
        'hubspot:' || engagement_people.company_id as account_key,
        case engagements.engagement_type
            when 'call' then 'voice'
            else engagements.engagement_type
        end as channel,
        case
            when engagements.engagement_type = 'call' and engagements.direction in ('inbound', 'outbound')
                then engagements.direction || '_call'
            when engagements.engagement_type = 'call' then 'call'
            when engagements.engagement_type = 'email' then 'email_logged'
            else engagements.engagement_type
        end as touchpoint_type,
        engagements.detail,
        engagements.occurred_at,
        cast(null as decimal(18, 2)) as amount,
        cast(null as varchar) as currency
    from engagements
    left join engagement_people on engagements.engagement_id = engagement_people.engagement_id
    left join contacts on engagement_people.contact_id = contacts.contact_id
    where engagements.occurred_at is not null

),

from_email_events as (

    select
        'hubspot' as source_system,
        'email_event:' || email_events.email_event_id as touchpoint_id,
        cast(null as varchar) as contact_key,
        email_events.recipient as contact_email,
        cast(null as varchar) as account_key,
        'email' as channel,
        'email_' || email_events.event_type as touchpoint_type,
        coalesce(email_events.url, email_campaigns.campaign_name) as detail,
        email_events.occurred_at,
        cast(null as decimal(18, 2)) as amount,
        cast(null as varchar) as currency
    from email_events
    left join email_campaigns on email_events.email_campaign_id = email_campaigns.email_campaign_id
    where email_events.occurred_at is not null

),

final as (

    select * from from_engagements
    union all
    select * from from_email_events

)

select * from final

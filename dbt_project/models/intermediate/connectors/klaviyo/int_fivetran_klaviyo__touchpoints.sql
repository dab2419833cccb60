{{ config(enabled=fivetran_enabled('klaviyo')) }}

-- Every Klaviyo event is a touchpoint of the profile's email address. Klaviyo's own email metrics are named in the
-- vocabulary the email source already uses (email_delivered, email_open, ...), so journey stages and message
-- direction apply to them unchanged; other metrics keep their name in snake case. Placed Order is an order with its
-- value; other order metrics (Ordered Product lines, fulfilments, refunds) are touchpoints without an amount.
with

events as (

    select * from {{ ref('stg_fivetran_klaviyo__events') }}

),

metrics as (

    select * from {{ ref('stg_fivetran_klaviyo__metrics') }}

),

persons as (

    select * from {{ ref('stg_fivetran_klaviyo__persons') }}

),

campaigns as (

    select * from {{ ref('stg_fivetran_klaviyo__campaigns') }}

),

flows as (

    select * from {{ ref('stg_fivetran_klaviyo__flows') }}

),

named as (

    select
        events.*,
        trim(coalesce(events.metric_name, metrics.metric_name)) as metric
    from events
    left join metrics on events.metric_id = metrics.metric_id

),

typed as (

    select
        *,
        case
            when metric = 'Placed Order' then 'order'
            when metric = 'Received Email' then 'email_delivered'
            when metric = 'Opened Email' then 'email_open'
            when metric = 'Clicked Email' then 'email_click'
            when metric = 'Bounced Email' then 'email_bounce'
            when metric in ('Unsubscribed', 'Unsubscribed from Email Marketing') then 'email_unsubscribe'
            when metric = 'Marked Email as Spam' then 'email_spamreport'
            else trim(regexp_replace(lower(metric), '[^a-z0-9]+', '_', 'g'), '_')
        end as touchpoint_type,
        case
            when lower(metric) like '%sms%' then 'sms'
            when lower(metric) like '%email%' or metric in ('Unsubscribed', 'Subscribed to List') then 'email'
            else 'web'
        end as channel
    from named

),

final as (

    select
        'klaviyo' as source_system,
        typed.event_id as touchpoint_id,
        cast(null as varchar) as contact_key,
        persons.email as contact_email,
        cast(null as varchar) as account_key,
        typed.channel,
        typed.touchpoint_type,
        coalesce(campaigns.campaign_name, flows.flow_name) as detail,
        typed.occurred_at,
        case when typed.touchpoint_type = 'order' then typed.numeric_value end as amount,
        case
            when typed.touchpoint_type = 'order' and typed.numeric_value is not null
                then coalesce(typed.currency_code, '{{ var("klaviyo_currency") }}')
        end as currency
    from typed
    left join persons on typed.person_id = persons.person_id
    left join campaigns on typed.campaign_id = campaigns.campaign_id
    left join flows on typed.flow_id = flows.flow_id

)

select * from final

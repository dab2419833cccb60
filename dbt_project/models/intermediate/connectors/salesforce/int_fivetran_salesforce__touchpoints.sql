{{ config(enabled=fivetran_enabled('salesforce')) }}
-- Salesforce tasks (logged calls, emails and to-dos) as touchpoints. `who_id` is a contact (003...) or a lead
-- (00Q...), which int_fivetran_salesforce__contacts keys as `lead:<id>`; the account is the task's account, or
-- its `what_id` when that is an account (001...).
with

tasks as (

    select * from {{ ref('stg_fivetran_salesforce__tasks') }}

),

classified as (

    select
        *,
        case
            when task_subtype = 'Call' or task_type = 'Call' then 'voice'
            when task_subtype in ('Email', 'ListEmail') or task_type = 'Email' then 'email'
            else 'task'
        end as channel
    from tasks

),

final as (

    select
        task_id as touchpoint_id,
        channel,
        subject as detail,
        occurred_at,
        'salesforce' as source_system,
        cast(null as varchar) as contact_email,
        cast(null as decimal(18, 2)) as amount,
        cast(null as varchar) as currency,
        case
            when who_id like '00Q%' then 'salesforce:lead:' || who_id
            when who_id is not null then 'salesforce:' || who_id
        end as contact_key,
        'salesforce:' || coalesce(account_id, case when what_id like '001%' then what_id end) as account_key,
        case
            when channel = 'voice' and call_type in ('inbound', 'outbound') then call_type || '_call'
            when channel = 'voice' then 'call'
            when channel = 'email' then 'email_logged'
            when task_type is not null then 'task_' || lower(task_type)
            else 'task'
        end as touchpoint_type
    from classified
    where occurred_at is not null

)

select * from final

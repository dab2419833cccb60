-- Per account, what happened to its contacts' care conversations and whether they engage on social or in the
-- community. A negative conversation is unresolved when a ticket was never solved, or a social message was never
-- answered (social threads have no solved state). Only conversations opened before the account churned count.
with

openings as (

    select * from {{ ref('int_care__conversation_openings') }}

),

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

interactions as (

    select * from {{ ref('fct_interactions') }}

),

account_status as (

    select * from {{ ref('int_customers__account_status') }}

),

negative_conversations as (

    select
        openings.account_key,
        conversations.opened_at,
        case
            when conversations.source_system = 'zendesk' then not conversations.is_resolved
            else not conversations.is_responded
        end as is_unresolved
    from openings
    inner join conversations on openings.conversation_id = conversations.conversation_id
    inner join account_status on openings.account_key = account_status.account_key
    where
        openings.sentiment_label = 'negative'
        and (account_status.churned_on is null or cast(conversations.opened_at as date) < account_status.churned_on)

),

negatives_by_account as (

    select
        account_key,
        count(*) as negative_conversations,
        sum(case when is_unresolved then 1 else 0 end) as unresolved_negative_conversations,
        min(case when is_unresolved then opened_at end) as first_unresolved_negative_at
    from negative_conversations
    group by account_key

),

engagement_by_account as (

    select
        account_key,
        count(*) as social_messages
    from interactions
    where
        direction = 'inbound'
        and account_key is not null
        and channel in ({{ "'" ~ var('influence_channels') | join("', '") ~ "'" }})
    group by account_key

),

final as (

    select
        account_status.account_key,
        negatives_by_account.first_unresolved_negative_at,
        coalesce(negatives_by_account.negative_conversations, 0) as negative_conversations,
        coalesce(negatives_by_account.unresolved_negative_conversations, 0) as unresolved_negative_conversations,
        coalesce(engagement_by_account.social_messages, 0) as social_messages,
        case
            when negatives_by_account.unresolved_negative_conversations > 0 then 'unresolved_negative'
            when negatives_by_account.negative_conversations > 0 then 'resolved_negative'
            else 'no_negative'
        end as care_outcome
    from account_status
    left join negatives_by_account on account_status.account_key = negatives_by_account.account_key
    left join engagement_by_account on account_status.account_key = engagement_by_account.account_key

)

select * from final

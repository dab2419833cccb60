{{ config(enabled=fivetran_enabled('zendesk')) }}

-- Public ticket comments (internal notes are not messages to the customer); agents and admins write for the business.
with

comments as (

    select * from {{ ref('stg_fivetran_zendesk__ticket_comments') }}

),

tickets as (

    select * from {{ ref('stg_fivetran_zendesk__tickets') }}

),

users as (

    select * from {{ ref('stg_fivetran_zendesk__users') }}

),

final as (

    select
        comments.comment_id as interaction_id,
        comments.author_id as actor_id,
        comments.commented_at as occurred_at,
        comments.body,
        'zendesk' as source_system,
        cast(null as bigint) as rating,
        coalesce(tickets.channel, 'web') as channel,
        case when users.user_role in ('agent', 'admin') then 'outbound' else 'inbound' end as direction,
        'zendesk:' || comments.ticket_id as conversation_key
    from comments
    left join tickets on comments.ticket_id = tickets.ticket_id
    left join users on comments.author_id = users.user_id
    -- A deleted ticket takes its comments with it (its care conversation is gone too).
    where comments.is_public and not coalesce(tickets.is_deleted, false)

)

select * from final

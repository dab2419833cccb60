with

ticket_events as (

    select * from {{ ref('stg_zendesk__ticket_events') }}

),

users as (

    select * from {{ ref('stg_zendesk__users') }}

),

child_events as (

    select
        ticket_events.ticket_id,
        ticket_events.created_at,
        unnest(from_json(ticket_events.child_events, '["json"]')) as child_event
    from ticket_events

),

comments as (

    select
        cast(child_event ->> 'id' as bigint) as comment_id,
        ticket_id,
        cast(child_event ->> 'author_id' as bigint) as author_id,
        cast(child_event ->> 'public' as boolean) as is_public,
        created_at as commented_at,
        child_event ->> 'body' as body
    from child_events
    where child_event ->> 'event_type' = 'Comment'

),

final as (

    select
        comments.comment_id,
        comments.ticket_id,
        comments.author_id,
        comments.is_public,
        comments.body,
        comments.commented_at,
        coalesce(users.role, 'unknown') as author_role
    from comments
    left join users on comments.author_id = users.user_id

)

select * from final

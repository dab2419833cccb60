{{ config(enabled=fivetran_enabled('intercom')) }}

-- Intercom messages: each conversation's opening message (the conversation's `source_*` fields) and every reply
-- part. A reply is a `comment` part, or an assignment part with a body (an admin answering while assigning, as
-- Fivetran's dbt_intercom counts it). Notes, closes, reopens and bare assignments are not messages.
-- Users, leads and contacts write inbound; admins and bots (Intercom's Operator, Fin) write for the business.
with

conversations as (

    select * from {{ ref('stg_fivetran_intercom__conversations') }}

),

parts as (

    select * from {{ ref('stg_fivetran_intercom__conversation_parts') }}

),

openings as (

    select
        source_author_id as actor_id,
        created_at as occurred_at,
        source_body as body,
        'intercom' as source_system,
        'chat' as channel,
        cast(null as bigint) as rating,
        'opening:' || conversation_id as interaction_id,
        case when source_author_type in ('user', 'lead', 'contact') then 'inbound' else 'outbound' end as direction,
        'intercom:' || conversation_id as conversation_key
    from conversations
    where source_author_id is not null or source_body is not null

),

replies as (

    select
        author_id as actor_id,
        created_at as occurred_at,
        body,
        'intercom' as source_system,
        'chat' as channel,
        cast(null as bigint) as rating,
        'part:' || part_id as interaction_id,
        case when author_type in ('user', 'lead', 'contact') then 'inbound' else 'outbound' end as direction,
        'intercom:' || conversation_id as conversation_key
    from parts
    where
        part_type = 'comment'
        or (part_type like '%assignment%' and nullif(trim(body), '') is not null)

),

final as (

    select * from openings
    union all
    select * from replies

)

select * from final

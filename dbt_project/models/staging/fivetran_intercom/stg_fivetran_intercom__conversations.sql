{{ config(enabled=fivetran_enabled('intercom')) }}

{%- set columns = fivetran_columns(source('fivetran_intercom', 'conversation_history')) %}
{%- set team_assignee = 'cast(team_assignee_id as varchar)' if 'team_assignee_id' in columns
    else 'cast(null as varchar)' %}
{#- History mode: the last version of a deleted record is no longer active. #}
{%- set live = fivetran_live_conditions(columns) %}

-- The latest version of each conversation (history table: one row per version).
with

source as (

    select * from {{ source('fivetran_intercom', 'conversation_history') }}

),

latest as (

    select *
    from source
    qualify row_number() over (partition by id order by updated_at desc, _fivetran_synced desc) = 1

),

renamed as (

    select
        cast(id as varchar) as conversation_id,
        {{ utc_timestamp('cast(created_at as varchar)') }} as created_at,
        {{ utc_timestamp('cast(updated_at as varchar)') }} as updated_at,
        lower(state) as state,
        -- Intercom marks a conversation `priority` or `not_priority`: prioritised ones are high, the rest normal.
        case when lower(priority) = 'priority' then 'high' else 'normal' end as priority,
        cast(assignee_id as varchar) as assignee_id,
        lower(assignee_type) as assignee_type,
        -- Older syncs have no team_assignee_id; a conversation assigned to a team then has assignee_type `team`.
        coalesce(
            {{ team_assignee }},
            case when lower(assignee_type) = 'team' then cast(assignee_id as varchar) end
        ) as team_assignee_id,
        cast(source_author_id as varchar) as source_author_id,
        lower(source_author_type) as source_author_type,
        source_subject,
        source_body,
        try_cast(conversation_rating_value as bigint) as rating
    from latest
    where {{ live | join(' and ') }}

)

select * from renamed

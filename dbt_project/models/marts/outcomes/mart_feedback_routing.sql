-- One row per feedback item routed to the team that must act: community ideas, enhancement requests (openings of
-- care conversations and reviews on a var `enhancement_topics` topic) and complaints (negative openings and reviews).
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

openings as (

    select * from {{ ref('int_care__conversation_openings') }}

),

conversations as (

    select * from {{ ref('fct_care_conversations') }}

),

ideas as (

    select * from {{ ref('stg_community__ideas') }}

),

as_of as (

    {{ care_as_of('interactions', 'occurred_at') }}

),

from_ideas as (

    select
        interactions.interaction_key,
        'idea' as feedback_type,
        ideas.idea_status as source_status,
        case when ideas.idea_status in ('complete', 'closed') then 'closed' else 'open' end as status
    from interactions
    inner join ideas on interactions.interaction_key = 'community:' || ideas.idea_id

),

from_conversations as (

    select
        openings.opening_interaction_key as interaction_key,
        case
            when interactions.topic in ({{ "'" ~ var('enhancement_topics') | join("', '") ~ "'" }})
                then 'enhancement_request'
            else 'complaint'
        end as feedback_type,
        case when conversations.is_resolved then 'resolved' else 'unresolved' end as source_status,
        case when conversations.is_resolved then 'closed' else 'open' end as status
    from openings
    inner join conversations on openings.conversation_id = conversations.conversation_id
    inner join interactions on openings.opening_interaction_key = interactions.interaction_key
    where
        interactions.topic in ({{ "'" ~ var('enhancement_topics') | join("', '") ~ "'" }})
        or interactions.sentiment_label = 'negative'

),

-- Reviews have no workflow at the source: they are logged for the team, not counted in its open backlog.
from_reviews as (

    select
        interaction_key,
        'logged' as source_status,
        'logged' as status,
        case
            when topic in ({{ "'" ~ var('enhancement_topics') | join("', '") ~ "'" }}) then 'enhancement_request'
            else 'complaint'
        end as feedback_type
    from interactions
    where
        interaction_type = 'review'
        and (topic in ({{ "'" ~ var('enhancement_topics') | join("', '") ~ "'" }}) or sentiment_label = 'negative')

),

items as (

    select * from from_ideas
    union all
    select * from from_conversations
    union all
    select
        interaction_key,
        feedback_type,
        source_status,
        status
    from from_reviews

),

final as (

    select
        items.interaction_key as feedback_key,
        items.feedback_type,
        items.status,
        items.source_status,
        interactions.source_system,
        interactions.channel_group,
        interactions.topic,
        interactions.product_area,
        interactions.owning_team,
        interactions.account_key,
        interactions.source_class,
        interactions.sentiment_score,
        interactions.occurred_at as received_at,
        interactions.body,
        items.status = 'open' as is_open,
        {{ dbt.datediff('interactions.occurred_at', 'as_of.as_of_at', 'day') }} as age_days  -- noqa: LT05
    from items
    inner join interactions on items.interaction_key = interactions.interaction_key
    cross join as_of

)

select * from final

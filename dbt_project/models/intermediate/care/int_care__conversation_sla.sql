-- Response and resolution times against the targets for the conversation's channel and priority. A conversation
-- still waiting is breached as soon as its target has passed by the as-of time (var `care_as_of`, default: the
-- latest activity in the data), so open backlogs count against the SLA instead of hiding from it.
with

conversations as (

    select * from {{ ref('int_care__conversations') }}

),

sla_targets as (

    select * from {{ ref('sla_targets') }}

),

as_of as (

    {{ care_as_of('conversations', 'last_activity_at') }}

),

measured as (

    select
        conversations.*,
        sla_targets.first_response_target_minutes,
        sla_targets.resolution_target_minutes,
        date_diff('second', conversations.opened_at, conversations.first_response_at) / 60 as first_response_minutes,
        date_diff('second', conversations.opened_at, conversations.resolved_at) / 60 as resolution_minutes,
        date_diff('second', conversations.opened_at, as_of.as_of_at) / 60 as open_minutes
    from conversations
    cross join as_of
    left join sla_targets
        on conversations.channel = sla_targets.channel and conversations.priority = sla_targets.priority

),

final as (

    select
        * exclude (open_minutes),
        first_response_at is not null as is_responded,
        resolved_at is not null as is_resolved,
        coalesce(first_response_minutes, open_minutes) > first_response_target_minutes as is_first_response_breached,
        coalesce(resolution_minutes, open_minutes) > resolution_target_minutes as is_resolution_breached
    from measured

)

select
    *,
    is_first_response_breached or is_resolution_breached as is_sla_breached
from final

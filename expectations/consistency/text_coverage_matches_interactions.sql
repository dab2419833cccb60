-- Sources whose customer messages in mart_text_coverage disagree with fct_interactions (the same definition:
-- inbound, not a journey event; DECISIONLOG.md "Text coverage"), or whose method shares do not add up to 1.
-- GX puts the coverage batch where the query names `batch`. Returns one row per disagreeing source; none when
-- consistent.
with coverage as (
    select source_system, sum(messages) as messages, sum(share_of_source_messages) as shares
    from {batch}
    group by source_system
),

recounted as (
    select source_system, count(*) as messages
    from marts.fct_interactions
    where direction = 'inbound' and interaction_type not in ('email', 'call', 'web_event')
    group by source_system
)

select
    coalesce(coverage.source_system, recounted.source_system) as source_system,
    coverage.messages as coverage_messages,
    recounted.messages as interactions_messages,
    coverage.shares
from coverage
full outer join recounted on coverage.source_system = recounted.source_system
where coverage.messages is distinct from recounted.messages or abs(coverage.shares - 1) > 1e-9

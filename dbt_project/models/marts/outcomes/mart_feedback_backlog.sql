-- Team x feedback type: what waits for each team, and for how long.
with

feedback as (

    select * from {{ ref('mart_feedback_routing') }}

),

final as (

    select
        owning_team,
        feedback_type,
        count(*) as items,
        count(case when is_open then 1 end) as open_items,
        count(case when status = 'logged' then 1 end) as logged_items,
        {{ percentile('case when is_open then age_days end', 0.5) }} as median_open_age_days,
        max(case when is_open then age_days end) as oldest_open_age_days
    from feedback
    group by owning_team, feedback_type

)

select * from final

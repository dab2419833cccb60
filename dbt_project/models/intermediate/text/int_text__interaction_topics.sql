-- The topic of each interaction: the taxonomy topic with the most keyword hits, the first mentioned on a tie.
-- Text without any keyword is `unclassified`. The owning team comes from the routing seed by product area.
-- Incremental: only the texts changed since the last build are scored again (macros/incremental_texts.sql).
{{
    config(
        materialized='incremental',
        unique_key='interaction_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="{{ delete_outdated_text_rows() }}"
    )
}}

with

canonical_interactions as (

    select * from {{ ref('int_canonical__interactions') }}

),

changed_texts as (

    {{ changed_texts() }}

),

interactions as (

    select
        canonical_interactions.*,
        changed_texts.text_changed_at
    from canonical_interactions
    inner join changed_texts on canonical_interactions.interaction_key = changed_texts.interaction_key

),

all_term_matches as (

    select * from {{ ref('int_text__term_matches') }}

),

term_matches as (

    select all_term_matches.*
    from all_term_matches
    semi join changed_texts on all_term_matches.interaction_key = changed_texts.interaction_key

),

topic_taxonomy as (

    select * from {{ ref('topic_taxonomy') }}

),

team_routing as (

    select * from {{ ref('team_routing') }}

),

topics as (

    select distinct
        topic,
        product_area
    from topic_taxonomy

),

topic_hits as (

    select
        term_matches.interaction_key,
        topic_taxonomy.topic,
        count(*) as keyword_hits,
        min(term_matches.word_position) as first_position
    from term_matches
    inner join topic_taxonomy on term_matches.term = lower(topic_taxonomy.keyword)
    where term_matches.term_kind = 'topic'
    group by term_matches.interaction_key, topic_taxonomy.topic

),

ranked as (

    select
        interaction_key,
        topic,
        keyword_hits,
        row_number() over (
            partition by interaction_key order by keyword_hits desc, first_position asc, topic asc
        ) as topic_rank
    from topic_hits

),

final as (

    select
        interactions.interaction_key,
        topics.product_area,
        interactions.text_changed_at,
        coalesce(ranked.topic, 'unclassified') as topic,
        coalesce(team_routing.owning_team, 'Unassigned') as owning_team,
        coalesce(ranked.keyword_hits, 0) as keyword_hits
    from interactions
    left join ranked on interactions.interaction_key = ranked.interaction_key and ranked.topic_rank = 1
    left join topics on ranked.topic = topics.topic
    left join team_routing on topics.product_area = team_routing.product_area

)

select * from final

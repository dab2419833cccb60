-- The version of each interaction's text that the text models read (int_text__*), and when it last changed: a new
-- interaction, an edited text, or a change to the text seeds or vars marks it changed in this dbt run. Incremental:
-- only those rows are written; the post-hook drops interactions deleted upstream. Rules in DECISIONLOG.md,
-- "Incremental models".
{{
    config(
        materialized='incremental',
        unique_key='interaction_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="delete from {{ this }} where interaction_key not in (select interaction_key from {{ ref('int_canonical__interactions') }})"
    )
}}

with

interactions as (

    select * from {{ ref('int_canonical__interactions') }}

),

text_models as (

    select {{ text_models_version() }} as text_models_version

),

-- What the text models read of a message: its text, direction (terms are taken from inbound messages) and star
-- rating (the sentiment fallback); the source system, which sets the language, is part of the key.
versions as (

    select
        interactions.interaction_key,
        text_models.text_models_version,
        md5(concat_ws(
            chr(31),
            interactions.direction,
            coalesce(interactions.body, chr(30)),
            coalesce(cast(interactions.rating as varchar), chr(30))
        )) as text_hash
    from interactions
    cross join text_models

),

changed as (

    select * from versions
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as held
        where
            held.interaction_key = versions.interaction_key
            and held.text_hash = versions.text_hash
            and held.text_models_version = versions.text_models_version
    )
    {%- endif %}

),

final as (

    select
        interaction_key,
        text_hash,
        text_models_version,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as text_changed_at
    from changed

)

select * from final

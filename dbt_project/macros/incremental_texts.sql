{#- Incremental text models (int_text__*): each text is read again only when it, or the text models' settings,
    changed. int_text__text_versions records, per interaction, the hash of what the text models read and when it last
    changed (text_changed_at); each text model keeps the text_changed_at of the version it read and, on an
    incremental run, reads only the interactions changed after the newest one it holds. Rules in DECISIONLOG.md,
    "Incremental models". -#}

{#- What every text model's output depends on besides the message: the text seeds and vars, as one md5. A change to
    any of them marks every text changed, so the text models recompute everything (no stale topic or score). -#}
{% macro text_models_version() -%}
    md5(concat_ws(
        '|',
        {%- for seed in ['sentiment_lexicon', 'sentiment_model_weights', 'topic_taxonomy', 'team_routing',
                         'stop_words', 'brand_accounts'] %}
        (select md5(string_agg(cast(seed_rows as varchar), chr(10) order by cast(seed_rows as varchar)))
            from {{ ref(seed) }} as seed_rows),
        {%- endfor %}
        '{{ tojson([var('sentiment_excluded_words'), var('positive_sentiment_min'), var('source_languages', {}),
                    var('default_text_language', 'en')]) | replace("'", "''") }}'
    ))
{%- endmacro %}

{#- The interactions a text model must (re)compute: all of them in a full build; on an incremental run those whose
    text_changed_at is after the newest this model holds (a table built before this column existed: all). Columns
    interaction_key, text_changed_at. -#}
{% macro changed_texts() -%}
    select
        interaction_key,
        text_changed_at
    from {{ ref('int_text__text_versions') }}
    {%- if is_incremental() and built_with_column('text_changed_at') %}
    where text_changed_at > (select coalesce(max(text_changed_at), '-infinity'::timestamp) from {{ this }})
    {%- endif %}
{%- endmacro %}

{#- Post-hook of a text model: drop the rows of text versions that are no longer current, i.e. interactions deleted
    upstream, and texts whose new version yields no row here (delete+insert replaces only keys that yield rows). -#}
{% macro delete_outdated_text_rows() -%}
    delete from {{ this }} as held
    where not exists (
        select 1
        from {{ ref('int_text__text_versions') }} as text_versions
        where
            text_versions.interaction_key = held.interaction_key
            and text_versions.text_changed_at = held.text_changed_at
    )
{%- endmacro %}

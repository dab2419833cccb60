{#- Fivetran connector schemas as sources (README "Already syncing with Fivetran?", DECISIONLOG "Connector sources").
    Var `fivetran_connectors` maps each enabled connector to where its tables are:
      {zendesk: {schema: zendesk}}                                  a schema of the warehouse
      {zendesk: {schema: zendesk, database: fivetran_zendesk,
                 database_path: /data/fivetran.duckdb}}             a schema of another DuckDB file (read-only)
      {zendesk: {schema: fivetran_zendesk, parquet_dir: /data/zd}}  <table>.parquet files, read through views
    pipeline/orchestration/connectors.py writes it from config/sources.yml; a connector not listed is disabled, and
    so are its models. -#}

{% macro fivetran_connector(name) -%}
    {{ return(var('fivetran_connectors', {}).get(name)) }}
{%- endmacro %}

{% macro fivetran_enabled(name) -%}
    {{ return(fivetran_connector(name) is not none) }}
{%- endmacro %}

{#- Which connectors feed each canonical entity: model `int_fivetran_<connector>__<entity>` has the entity's columns. -#}
{% macro fivetran_entity_connectors(entity) -%}
    {%- set social = ['twitter_organic', 'facebook_pages', 'instagram_business', 'linkedin_pages', 'youtube_analytics'] -%}
    {%- set registry = {
        'interactions': ['zendesk', 'intercom'],
        'actors': ['zendesk', 'intercom'],
        'care_conversations': ['zendesk', 'intercom'],
        'contacts': ['zendesk', 'hubspot', 'salesforce', 'intercom'],
        'accounts': ['zendesk', 'hubspot', 'salesforce', 'intercom'],
        'opportunities': ['hubspot', 'salesforce'],
        'touchpoints': ['hubspot', 'salesforce', 'klaviyo', 'ga4'],
        'social_posts': social,
        'social_post_metrics': social,
    } -%}
    {{ return(registry[entity]) }}
{%- endmacro %}

{#- `union all by name select * from <model>` for each enabled connector that feeds `entity`; nothing when none is. -#}
{% macro fivetran_union(entity) -%}
    {%- for connector in fivetran_entity_connectors(entity) if fivetran_enabled(connector) %}
    union all by name
    select * from {{ ref('int_fivetran_' ~ connector ~ '__' ~ entity) }}
    {%- endfor %}
{%- endmacro %}

{#- on-run-start: attach connector DuckDB files read-only, and put a view over each Parquet file of a connector's
    folder into its own schema of the warehouse. -#}
{% macro prepare_fivetran_connectors() -%}
    {%- set statements = [] -%}
    {%- for name, connector in var('fivetran_connectors', {}).items() -%}
        {%- if connector.get('database_path') -%}
            {%- do statements.append(
                "attach if not exists '" ~ connector['database_path'] ~ "' as " ~ connector['database']
                ~ " (read_only)"
            ) -%}
        {%- elif connector.get('parquet_dir') and execute -%}
            {%- do statements.append('create schema if not exists ' ~ connector['schema']) -%}
            {%- set files = run_query(
                "select file from glob('" ~ connector['parquet_dir'] ~ "/*.parquet') order by file"
            ) -%}
            {%- for file in files.columns[0].values() -%}
                {%- set table = file.split('/')[-1][:-8] -%}
                {%- do statements.append(
                    'create or replace view ' ~ connector['schema'] ~ '."' ~ table ~ '" as select * from read_parquet(\''
                    ~ file ~ "')"
                ) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n') if statements else 'select 1') }}
{%- endmacro %}

{#- Staging helpers for tables whose columns differ between connector versions and settings. -#}

{#- The relation's column names, lower case (none while dbt only parses). -#}
{% macro fivetran_columns(relation) -%}
    {{ return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list if execute else []) }}
{%- endmacro %}

{#- For each (column, type) of `typed`: `cast(<column> as <type>)`, or a typed null when the table lacks the column
    (optional properties and fields that not every connector schema has). -#}
{% macro fivetran_optional_columns(columns, typed) -%}
    {%- set optional = {} -%}
    {%- for column, type in typed -%}
        {%- do optional.update({column: 'cast(' ~ (column if column in columns else 'null') ~ ' as ' ~ type ~ ')'}) -%}
    {%- endfor -%}
    {{ return(optional) }}
{%- endmacro %}

{#- The conditions a live row meets: not deleted at the source (`is_deleted`, the recycle bin) nor by the connector
    (`_fivetran_deleted`), and, under Fivetran's history mode, the active version (`_fivetran_active`). -#}
{% macro fivetran_live_conditions(columns) -%}
    {%- set live = ['true'] -%}
    {%- for flag in ['is_deleted', '_fivetran_deleted'] if flag in columns -%}
        {%- do live.append('not coalesce(cast(' ~ flag ~ ' as boolean), false)') -%}
    {%- endfor -%}
    {%- if '_fivetran_active' in columns -%}
        {%- do live.append('coalesce(cast(_fivetran_active as boolean), true)') -%}
    {%- endif -%}
    {{ return(live) }}
{%- endmacro %}

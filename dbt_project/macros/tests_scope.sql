{#- Data tests sized to the change. A test whose `where` config names __changed_since__ checks, in a run with
    SOCIAL_OUTCOMES_TEST_SCOPE=changed, only the rows loaded or recomputed after the last successful build started
    (SOCIAL_OUTCOMES_TEST_SINCE), e.g. `text_changed_at > __changed_since__`; otherwise (`full`, the default) every row.
    The pipeline picks the scope per run (pipeline/orchestration/test_scope.py: every row on a schedule, on demand and
    for a new project version). dbt renders `where` when it parses the project, so the placeholder is replaced here,
    when the test runs (the documented way: overriding get_where_subquery). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = where | replace('__changed_since__', tests_changed_since()) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The change time after which a data test looks at rows: the start of the last successful build when tests are
    sized to the change, else minus infinity (every row). -#}
{% macro tests_changed_since() -%}
    {%- set scope = env_var('SOCIAL_OUTCOMES_TEST_SCOPE', 'full') -%}
    {%- if scope not in ('full', 'changed') -%}
        {{ exceptions.raise_compiler_error("SOCIAL_OUTCOMES_TEST_SCOPE must be `full` or `changed`, not `" ~ scope ~ "`") }}
    {%- endif -%}
    {%- if scope == 'changed' -%}
        {%- set since = env_var('SOCIAL_OUTCOMES_TEST_SINCE', '') -%}
        {%- if not modules.re.fullmatch('[0-9: .T-]+', since) -%}
            {{ exceptions.raise_compiler_error("SOCIAL_OUTCOMES_TEST_SCOPE=changed needs SOCIAL_OUTCOMES_TEST_SINCE, a UTC time") }}
        {%- endif -%}
        {{- return("cast('" ~ since ~ "' as timestamp)") -}}
    {%- endif -%}
    {{- return("'-infinity'::timestamp") -}}
{%- endmacro %}

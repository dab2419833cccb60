{#- Timestamps as real exports write them, to a naive UTC timestamp; empty text is null, unreadable text is null.
    Written once here: dbt's staging models call these macros, and ingest renders this same file with plain Jinja
    (ingest/timestamps.py) for its contract checks and file-drop views, so both read a value the same way. Keep the
    macros free of dbt-only functions (var, ref, adapter) for that reason.

    Recognised without configuration (DECISIONLOG "Timestamps"):
    - ISO 8601 with `T` or a space, `Z`, `+HH:MM`, `+HHMM`, `+HH` (a space before the offset too), fractional seconds;
    - Twitter's classic `Wed Oct 11 06:55:44 +0000 2017`; RFC 2822 `Tue, 01 Mar 2016 09:15:00 -0500` (or `GMT`);
    - epoch seconds (9 to 10 digits, fraction allowed) and milliseconds (12 to 13 digits);
    - a date alone (midnight).
    Offsets are honoured. A value without one is local time in `time_zone` (an IANA name; UTC unless configured).
    `format` (strptime) replaces the recognition for exports written any other way.
    `strict`: text that is not a timestamp fails the query with the value in the message (staging: the ingest contract
    already quarantined such event times, so one reaching staging is a bug); otherwise it reads as null (the contract
    check itself). -#}
{% macro utc_timestamp(column, time_zone='UTC', format=none, strict=true) -%}
    {%- if strict -%}
    coalesce(
        {{ utc_timestamp(column, time_zone, format, strict=false) }},
        case when nullif(trim({{ column }}), '') is not null
            then error('not a timestamp: ' || {{ column }}) end
    )
    {%- else -%}
    {%- set text -%} nullif(trim({{ column }}), '') {%- endset -%}
    {%- if format -%}
        {%- if '%z' in format or '%Z' in format -%}
    (try_strptime({{ text }}, '{{ format }}') at time zone 'UTC')
        {%- else -%}
    ((try_strptime({{ text }}, '{{ format }}') at time zone '{{ time_zone }}') at time zone 'UTC')
        {%- endif -%}
    {%- else -%}
    (case
        when {{ text }} is null then null
        when regexp_full_match({{ text }}, '[0-9]{9,10}([.][0-9]+)?')
            then make_timestamp(cast(round(cast({{ text }} as double) * 1000000) as bigint))
        when regexp_full_match({{ text }}, '[0-9]{12,13}')
            then make_timestamp(cast({{ text }} as bigint) * 1000)
        when regexp_full_match(
            {{ text }},
            '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? *(Z|z|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?)'
        )
            then try_cast(
                regexp_replace(
                    regexp_replace({{ text }}, ' *(UTC|GMT|z)$', 'Z'), ' +([+-][0-9]{2}(:?[0-9]{2})?)$', '\1'
                ) as timestamptz
            ) at time zone 'UTC'
        when regexp_full_match({{ text }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?')
            then (try_cast({{ text }} as timestamp) at time zone '{{ time_zone }}') at time zone 'UTC'
        else try_strptime(
            regexp_replace({{ text }}, ' (GMT|UTC|UT)$', ' +0000'),
            [
                '%a %b %d %H:%M:%S %z %Y',
                '%a, %d %b %Y %H:%M:%S %z',
                '%a, %d %b %Y %H:%M %z',
                '%d %b %Y %H:%M:%S %z',
                '%d %b %Y %H:%M %z'
            ]
        ) at time zone 'UTC'
    end)
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Unix seconds to a naive UTC timestamp. -#}
{% macro utc_from_unix_seconds(column) -%}
    make_timestamp(cast({{ column }} as bigint) * 1000000)
{%- endmacro %}

{#- Empty or blank text to null, trimmed otherwise. -#}
{% macro blank_as_null(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- Naive local time text (no offset) written in the IANA time zone `time_zone` to a naive UTC timestamp. -#}
{% macro utc_from_local(column, time_zone) -%}
    {{ utc_timestamp(column, time_zone) }}
{%- endmacro %}

{#- Which of utc_timestamp's forms a text has: `iso8601_offset`, `iso8601_naive`, `date`, `epoch_seconds`,
    `epoch_milliseconds`, `twitter_classic`, `rfc2822`, or null when it has none (blank or unreadable). The
    profiler (ingest/profile.py) reports it for a column it takes for an event time. -#}
{% macro timestamp_form(column) -%}
    {%- set text -%} nullif(trim({{ column }}), '') {%- endset -%}
    (case
        when {{ utc_timestamp(column, strict=false) }} is null then null
        when regexp_full_match({{ text }}, '[0-9]{9,10}([.][0-9]+)?') then 'epoch_seconds'
        when regexp_full_match({{ text }}, '[0-9]{12,13}') then 'epoch_milliseconds'
        when regexp_full_match({{ text }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then 'date'
        when regexp_matches({{ text }}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ].*(Z|z|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then 'iso8601_offset'
        when regexp_matches({{ text }}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]') then 'iso8601_naive'
        when regexp_matches({{ text }}, '^[A-Za-z]{3} [A-Za-z]{3} ') then 'twitter_classic'
        else 'rfc2822'
    end)
{%- endmacro %}

{#- The handle a message addresses: its first @mention (as written, without `@`), or null when it mentions nobody.
    X handles are 1 to 15 letters, digits or underscores; an `@` inside a word (an email address) is no mention.
    `named_only`: skip handles that are all digits (exports such as twcs anonymise customers to numbers). -#}
{% macro addressed_handle(body, named_only=false) -%}
    {%- set handle = '[0-9]*[A-Za-z_][A-Za-z0-9_]*' if named_only else '[A-Za-z0-9_]+' -%}
    nullif(regexp_extract({{ body }}, '(^|[^A-Za-z0-9_])@({{ handle }})', 2), '')
{%- endmacro %}

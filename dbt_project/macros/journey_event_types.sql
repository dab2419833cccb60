{#- fct_interactions.interaction_type values that are journey events from CRM, marketing and web sources, not
    messages with text: they take their touchpoint type from the source and are left out of text coverage. -#}
{% macro journey_event_types() -%}
    ('email', 'call', 'web_event', 'sms', 'meeting', 'crm_task')
{%- endmacro %}

{#- x * ln(x), with 0 for x = 0: the term of an entropy sum, used by the log-likelihood ratio G2 (mart_term_trends). -#}
{% macro xlogx(x) -%}
    case when ({{ x }}) > 0 then ({{ x }}) * ln({{ x }}) else 0.0 end
{%- endmacro %}

{#- a / b, null when b is zero or null (a ratio over nothing is unknown, not infinite). -#}
{% macro ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

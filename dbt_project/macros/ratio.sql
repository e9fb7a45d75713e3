{#- a / b, null when b is zero or null (a ratio over nothing is unknown, not infinite). -#}
{% macro ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- A float statistic as the marts keep it: NaN and infinities (a correlation with a constant
    column) as null, rounded to 1e-9 so that parallel aggregation cannot change its bits. -#}
{% macro finite_rounded(expression) -%}
    case when isfinite({{ expression }}) then round({{ expression }}, 9) end
{%- endmacro %}

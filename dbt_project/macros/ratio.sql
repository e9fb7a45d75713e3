{#- a / b, null when b is zero or null (a ratio over nothing is unknown, not infinite). -#}
{% macro ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- A float figure as the marts keep it: rounded to 1e-9 so that parallel aggregation cannot
    change its bits from run to run, −0 as 0 (rounding a tiny negative difference gives −0,
    which prints and hashes differently), NaN and infinities (a correlation with a constant
    column) as null. -#}
{% macro finite_rounded(expression) -%}
    case
        when not isfinite({{ expression }}) then null
        when round({{ expression }}, 9) = 0 then 0.0
        else round({{ expression }}, 9)
    end
{%- endmacro %}

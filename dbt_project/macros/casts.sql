{#- Text-to-type conversions used by staging. Kept here so a Spark target can override them. -#}

{% macro to_double(column) -%}
    cast(nullif(trim({{ column }}), '') as double)
{%- endmacro %}

{% macro to_integer(column) -%}
    cast(nullif(trim({{ column }}), '') as bigint)
{%- endmacro %}

{% macro to_date(column) -%}
    cast(nullif(trim({{ column }}), '') as date)
{%- endmacro %}

{% macro yes_no(column) -%}
    case upper(trim({{ column }})) when 'Y' then true when 'N' then false end
{%- endmacro %}

{#- a / b, null when b is zero or null (a ratio over nothing is unknown, not infinite). -#}
{% macro ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- Hours of a calendar year: 8760, or 8784 in a leap year. -#}
{% macro hours_in_year(year) -%}
    (case when {{ year }} % 4 = 0 and ({{ year }} % 100 != 0 or {{ year }} % 400 = 0)
        then 8784 else 8760 end)
{%- endmacro %}

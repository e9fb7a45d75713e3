{#- Data cut-off of an index year (the blue books use data as of end of March). -#}
{% macro index_cutoff_date(year_column) -%}
    make_date({{ year_column }}, {{ var('cutoff_month', 3) }}, {{ var('cutoff_day', 31) }})
{%- endmacro %}

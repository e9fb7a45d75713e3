{#- True for the years this run builds: the `years` var, or every year when it is empty. -#}
{% macro in_selected_years(year_column) -%}
    {%- set years = var('years', []) -%}
    {%- if years is string -%}{%- set years = years.split(',') -%}{%- endif -%}
    {%- if years | length == 0 -%}
        true
    {%- else -%}
        {{ year_column }} in ({{ years | map('int') | join(', ') }})
    {%- endif -%}
{%- endmacro %}

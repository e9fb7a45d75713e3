{#- The years this run builds, empty for every year: the `years` var when given, else the
    environment variable SUANLI_DBT_YEARS (a JSON list), which is how the pipeline passes them.
    It is read when dbt executes, not when it parses: a run's years then re-parse nothing,
    where each change of --vars re-parses the whole project (suanli.transform.dbt_command). -#}
{% macro selected_years() -%}
    {%- set years = var('years', none) -%}
    {%- if years is none -%}
        {%- set years = fromjson(env_var('SUANLI_DBT_YEARS', '[]')) if execute else [] -%}
    {%- endif -%}
    {%- if years is string -%}{%- set years = years.split(',') -%}{%- endif -%}
    {{- return(years | map('int') | list) -}}
{%- endmacro %}

{#- True for the years this run builds (selected_years), or every year when it is empty. -#}
{% macro in_selected_years(year_column) -%}
    {%- set years = selected_years() -%}
    {%- if years | length == 0 -%}
        true
    {%- else -%}
        {{ year_column }} in ({{ years | join(', ') }})
    {%- endif -%}
{%- endmacro %}

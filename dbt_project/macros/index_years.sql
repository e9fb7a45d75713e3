{#- Every year from the first to the last of any index system in `systems` (dim_index_system),
    for year columns generated when a model is compiled; empty while parsing or before
    `systems` exists (e.g. docs of an empty warehouse). -#}
{% macro index_years(systems) -%}
    {%- if not execute or load_relation(systems) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set span_sql -%}
        select min(first_year), max(last_year) from {{ systems }}
    {%- endset -%}
    {%- set span = run_query(span_sql).rows[0] -%}
    {%- if span[0] is none -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(range(span[0] | int, span[1] | int + 1) | list) }}
{%- endmacro %}

{{ config(
    materialized='view',
    post_hook="{{ comment_node_columns(ref('fct_index_weights')) }}",
) }}

{#- One row per system, unit level, unit and year; one `<node_code>_score` and one
    `<node_code>_rank` column per node of any index system. The column list is read from the
    index definitions (fct_index_weights) when the view is compiled, so the published view has
    fixed, plain columns that BI tools and the Excel export see without running a PIVOT, and a
    new node appears as soon as its system is rebuilt. Columns follow the tree of the largest
    system depth first (composite, 算力, 算力规模, its indicators, …); nodes only a smaller
    system has come after, in that system's order (macro index_node_codes). -#}
{%- set node_codes = index_node_codes(ref('fct_index_weights')) %}

with

scores as (
    select * from {{ ref('fct_index_scores') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

final as (
    select
        scores.system_code,
        scores.unit_level,
        scores.unit_code,
        units.name_zh as unit_name_zh,
        units.name_en as unit_name_en,
        scores.year{% for node_code in node_codes %},
        {#- `case` rather than `filter`: DuckDB evaluates ~250 filtered aggregates about five
            times slower, and every reader of the view (exports, BI) pays it #}
        max(case when scores.node_code = '{{ node_code }}' then scores.score end)
            as {{ node_code }}_score,
        max(case when scores.node_code = '{{ node_code }}' then scores.rank end)
            as {{ node_code }}_rank{% endfor %}
    from scores
    inner join units
        on
            scores.unit_level = units.unit_level
            and scores.unit_code = units.unit_code
    group by
        scores.system_code,
        scores.unit_level,
        scores.unit_code,
        units.name_zh,
        units.name_en,
        scores.year
)

select * from final

{{ config(materialized='view') }}

{#- The blue books' "Top 10 over the years" table: one row per system, unit level, node and
    place (1-10), one column group per year: `y<year>_unit_name_zh`, `y<year>_score`,
    `y<year>_rank`. The years run from the first to the last of any index system
    (dim_index_system) and are read when the view is compiled, so its columns stay fixed
    until a definition adds a year; a year a system does not cover is null. Places follow
    rank, ties broken by unit code, so a shared 10th place shows its rank but not every
    unit sharing it. -#}
{%- set years = index_years(ref('dim_index_system')) %}

with

scores as (
    select * from {{ ref('fct_index_scores') }}
    where rank <= 10
),

nodes as (
    select * from {{ ref('fct_index_weights') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

placed as (
    select
        scores.system_code,
        scores.unit_level,
        scores.node_code,
        scores.node_level,
        scores.year,
        scores.rank,
        scores.score,
        units.name_zh as unit_name_zh,
        row_number() over (
            partition by scores.system_code, scores.unit_level, scores.node_code, scores.year
            order by scores.rank, scores.unit_code
        ) as place
    from scores
    inner join units
        on
            scores.unit_level = units.unit_level
            and scores.unit_code = units.unit_code
),

final as (
    select
        placed.system_code,
        placed.unit_level,
        placed.node_code,
        placed.node_level,
        nodes.name_zh as node_name_zh,
        placed.place{% for year in years %},
        max(placed.unit_name_zh) filter (where placed.year = {{ year }})
            as y{{ year }}_unit_name_zh,
        max(placed.score) filter (where placed.year = {{ year }}) as y{{ year }}_score,
        max(placed.rank) filter (where placed.year = {{ year }}) as y{{ year }}_rank
        {%- endfor %}
    from placed
    inner join nodes
        on
            placed.system_code = nodes.system_code
            and placed.node_code = nodes.node_code
    where placed.place <= 10
    group by
        placed.system_code,
        placed.unit_level,
        placed.node_code,
        placed.node_level,
        nodes.name_zh,
        placed.place
)

select * from final

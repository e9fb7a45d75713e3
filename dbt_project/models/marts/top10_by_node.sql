{{ config(materialized='view') }}

-- The Top 10 of every node (composite, primaries, secondaries, tertiaries) of every system,
-- unit level and year, with the names BI labels charts with. Ties share the better rank, so a
-- node can list more than ten units when the tenth place is shared.
with

scores as (
    select * from {{ ref('fct_index_scores') }}
    where rank <= 10
),

nodes as (
    select * from {{ ref('fct_index_weights') }}
),

-- Province and city codes never collide (GB/T 2260), but the level keeps the join exact.
units as (
    select * from {{ ref('dim_unit') }}
),

final as (
    select
        scores.system_code,
        scores.unit_level,
        scores.year,
        scores.node_code,
        scores.node_level,
        nodes.name_zh as node_name_zh,
        nodes.name_en as node_name_en,
        scores.rank,
        scores.unit_code,
        units.name_zh as unit_name_zh,
        units.name_en as unit_name_en,
        scores.score,
        scores.rank_change
    from scores
    inner join nodes
        on
            scores.system_code = nodes.system_code
            and scores.node_code = nodes.node_code
    inner join units
        on
            scores.unit_level = units.unit_level
            and scores.unit_code = units.unit_code
)

select * from final

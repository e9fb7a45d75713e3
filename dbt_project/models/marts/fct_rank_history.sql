{{ config(materialized='view') }}

-- Every unit's score and rank on every node of every system, year by year, beside the previous
-- year's: a view over fct_index_scores (which already holds rank_change), so nothing is stored
-- twice. score_change compares like with like only under base-year standardisation: per-year
-- min-max rescales every year, so there only the rank moves meaningfully.
with

scores as (
    select * from {{ ref('fct_index_scores') }}
),

systems as (
    select * from {{ ref('dim_index_system') }}
),

nodes as (
    select * from {{ ref('fct_index_weights') }}
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
        scores.node_code,
        scores.node_level,
        nodes.name_zh as node_name_zh,
        scores.year,
        scores.score,
        scores.rank,
        previous.year as previous_year,
        previous.score as previous_score,
        previous.rank as previous_rank,
        scores.rank_change,
        systems.standardisation,
        scores.score - previous.score as score_change
    from scores
    inner join systems
        on scores.system_code = systems.system_code
    inner join nodes
        on
            scores.system_code = nodes.system_code
            and scores.node_code = nodes.node_code
    inner join units
        on
            scores.unit_level = units.unit_level
            and scores.unit_code = units.unit_code
    left join scores as previous
        on
            scores.system_code = previous.system_code
            and scores.unit_level = previous.unit_level
            and scores.unit_code = previous.unit_code
            and scores.node_code = previous.node_code
            and scores.year = previous.year + 1
)

select * from final

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    on_schema_change='fail',
    tags=['by_year'],
) }}

-- Scores of every unit on every node (tertiary → secondary → primary → composite) as weighted
-- sums; missing indicators are left out and the remaining path weights rescaled to sum to 1.
-- Scores are rounded to 1e-9 so floating-point noise cannot push a score past 100.
-- Ranks use competition ranking on scores rounded to 6 decimals (ties share the better rank);
-- rank_change = previous year's rank − this year's rank (positive = moved up). Rebuilding a
-- year also rewrites the following year, whose rank change depends on it.
with

indicator_scores as (
    select * from {{ ref('int_indicator_scores') }}
),

paths as (
    select * from {{ ref('int_index_paths') }}
),

nodes as (
    select * from {{ ref('stg_index_nodes') }}
),

node_scores as (
    select
        indicator_scores.system_code,
        indicator_scores.year,
        indicator_scores.unit_level,
        indicator_scores.unit_code,
        paths.node_code,
        round(
            sum(paths.path_weight * indicator_scores.score)
            / nullif(
                sum(case when indicator_scores.score is not null then paths.path_weight end), 0
            ),
            9
        ) as score
    from indicator_scores
    inner join paths
        on
            indicator_scores.system_code = paths.system_code
            and indicator_scores.indicator_code = paths.indicator_code
    group by
        indicator_scores.system_code,
        indicator_scores.year,
        indicator_scores.unit_level,
        indicator_scores.unit_code,
        paths.node_code
),

ranked as (
    select
        node_scores.*,
        rank() over (
            partition by system_code, year, unit_level, node_code
            order by round(score, 6) desc
        ) as rank
    from node_scores
),

with_previous as (
    select
        ranked.*,
        previous.rank - ranked.rank as rank_change
    from ranked
    left join ranked as previous
        on
            ranked.system_code = previous.system_code
            and ranked.unit_level = previous.unit_level
            and ranked.unit_code = previous.unit_code
            and ranked.node_code = previous.node_code
            and ranked.year = previous.year + 1
),

final as (
    select
        with_previous.system_code,
        with_previous.year,
        with_previous.unit_level,
        with_previous.unit_code,
        with_previous.node_code,
        nodes.node_level,
        with_previous.score,
        with_previous.rank,
        with_previous.rank_change
    from with_previous
    inner join nodes
        on
            with_previous.system_code = nodes.system_code
            and with_previous.node_code = nodes.node_code
    where
        {{ in_selected_years('with_previous.year') }}
        or {{ in_selected_years('with_previous.year - 1') }}
)

select * from final

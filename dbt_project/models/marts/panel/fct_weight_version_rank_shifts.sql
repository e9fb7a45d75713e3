-- What a new weights version changed: every year's scores and ranks under the previous and
-- the current version, per unit and inner node (rank_shift > 0: moved up). Typed here: while
-- no system has a second version the Python model's frame is empty and DuckDB types it NULL.
with

shifts as (
    select * from {{ ref('int_weight_version_rank_shifts') }}
),

final as (
    select
        cast(system_code as varchar) as system_code,
        cast(year as bigint) as year,
        cast(unit_level as varchar) as unit_level,
        cast(unit_code as varchar) as unit_code,
        cast(node_code as varchar) as node_code,
        cast(previous_version as bigint) as previous_version,
        cast(current_version as bigint) as current_version,
        cast(score_previous as double) as score_previous,
        cast(score_current as double) as score_current,
        cast(rank_previous as bigint) as rank_previous,
        cast(rank_current as bigint) as rank_current,
        cast(rank_shift as bigint) as rank_shift
    from shifts
)

select * from final

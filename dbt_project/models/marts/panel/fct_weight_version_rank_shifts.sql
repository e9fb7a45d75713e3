-- What a new weights version changed: every year's scores and ranks under the previous and
-- the current version, per unit and inner node (rank_shift > 0: moved up).
with

shifts as (
    select * from {{ ref('int_weight_version_rank_shifts') }}
),

final as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        node_code,
        previous_version,
        current_version,
        score_previous,
        score_current,
        rank_previous,
        rank_current,
        rank_shift
    from shifts
)

select * from final

-- How far each unit's rank on each node hangs on the modeller's choices (the JRC audit of a
-- composite index): the nominal rank beside the median, P5 and P95 rank over the Monte Carlo
-- runs of int_rank_uncertainty, and the share of runs that put the unit in the Top 10.
with

uncertainty as (
    select * from {{ ref('int_rank_uncertainty') }}
),

final as (
    select
        system_code,
        cast(year as integer) as year,
        unit_level,
        unit_code,
        node_code,
        cast(nominal_rank as integer) as nominal_rank,
        cast(median_rank as integer) as median_rank,
        cast(rank_p5 as integer) as rank_p5,
        cast(rank_p95 as integer) as rank_p95,
        cast(runs as integer) as runs,
        cast(score_runs as integer) as score_runs,
        {{ finite_rounded('nominal_score') }} as nominal_score,
        {{ finite_rounded('top10_share') }} as top10_share,
        {{ finite_rounded('score_mean') }} as score_mean,
        {{ finite_rounded('score_p5') }} as score_p5,
        {{ finite_rounded('score_p95') }} as score_p95
    from uncertainty
)

select * from final

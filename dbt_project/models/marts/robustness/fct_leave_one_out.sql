-- What each indicator does to each unit's composite rank: the rank with the indicator left
-- out (its siblings' weights renormalised) and the shift from the nominal rank (positive =
-- the unit ranks higher without it), per system, year and unit level (int_leave_one_out).
with

left_out as (
    select * from {{ ref('int_leave_one_out') }}
),

final as (
    select
        system_code,
        cast(year as integer) as year,
        unit_level,
        indicator_code,
        unit_code,
        cast(nominal_rank as integer) as nominal_rank,
        cast(rank_without as integer) as rank_without,
        cast(rank_shift as integer) as rank_shift
    from left_out
)

select * from final

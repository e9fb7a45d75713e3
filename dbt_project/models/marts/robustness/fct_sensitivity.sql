-- Which of the modeller's choices move the ranks most: first- and total-order Sobol indices
-- (with 95 % bootstrap half-widths) of each uncertain choice on the mean absolute shift of the
-- composite rank from the nominal one, per system, year and unit level (SALib, Saltelli's
-- design; int_sensitivity).
with

sensitivity as (
    select * from {{ ref('int_sensitivity') }}
),

final as (
    select
        system_code,
        cast(year as integer) as year,
        unit_level,
        factor,
        cast(runs as integer) as runs,
        {{ finite_rounded('first_order') }} as first_order,
        {{ finite_rounded('first_order_conf') }} as first_order_conf,
        {{ finite_rounded('total_order') }} as total_order,
        {{ finite_rounded('total_order_conf') }} as total_order_conf,
        {{ finite_rounded('mean_rank_shift') }} as mean_rank_shift
    from sensitivity
)

select * from final

-- Where every indicator value comes from: one row per value (year, unit, indicator) and run of
-- consecutive delivery rows it was computed from. int_indicator_lineage does the work for the
-- run's years; every year of it is published here, as the contract says.
with

lineage as (
    select * from {{ ref('int_indicator_lineage') }}
),

final as (
    select
        year,
        unit_level,
        unit_code,
        indicator_code,
        delivery_id,
        first_row,
        last_row,
        row_count,
        indicator_model
    from lineage
)

select * from final

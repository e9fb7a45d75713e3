{#- Rebuilt for the run's years only, as the values it reads: unnesting every year's lineage
    cost a one-year run a second. sync_all_columns: a warehouse built before a column was
    added takes it (a full run refills every year) instead of stopping the build. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    on_schema_change='sync_all_columns',
    tags=['by_year'],
) }}

-- Where every indicator value comes from: one row per value (year, unit, indicator) and run of
-- consecutive delivery rows it was computed from (first_row..last_row of the file
-- dim_delivery.delivery_id; rows are the lines of the file as delivered). A ratio of two
-- statistics has two rows, a provincial sum of compute centres one row per run of its
-- centres in the registry.
with

indicator_values as (
    select * from {{ ref('int_indicator_values') }}
    where {{ in_selected_years('year') }}
),

listed_rows as (
    select
        year,
        unit_level,
        unit_code,
        indicator_code,
        indicator_model,
        -- the struct fields delivery_id and delivery_row, as columns
        unnest(lineage, recursive := true)  -- noqa: AL03
    from indicator_values
),

delivery_rows as (
    -- distinct: two statistics of one ratio may stand in one row of a wide table
    select distinct * from listed_rows
),

runs as (
    select
        *,
        delivery_row - row_number() over (
            partition by year, unit_level, unit_code, indicator_code, delivery_id
            order by delivery_row
        ) as run_key
    from delivery_rows
),

final as (
    select
        year,
        unit_level,
        unit_code,
        indicator_code,
        delivery_id,
        cast(min(delivery_row) as integer) as first_row,
        cast(max(delivery_row) as integer) as last_row,
        cast(count(*) as integer) as row_count,
        any_value(indicator_model) as indicator_model
    from runs
    group by year, unit_level, unit_code, indicator_code, delivery_id, run_key
)

select * from final

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    on_schema_change='fail',
    tags=['by_year'],
) }}

-- Tertiary indicators of every system standardised min-max across the system's units, in the
-- indicator's direction (METHODOLOGY.md §2.1), by the system's `standardisation`:
-- minmax_per_year rescales each year to 0-100 on its own; minmax_base_year scales every year
-- by the base year's min and max, so scores compare across years and may leave 0-100.
-- What is scaled is the value after outlier treatment (int_indicator_treatments: the raw value
-- itself unless the system's `treatment` winsorises, COINr's rule); raw_value stays the raw one.
with

systems as (
    select * from {{ ref('stg_index_systems') }}
),

indicators as (
    select * from {{ ref('stg_index_nodes') }}
    where n_children = 0
),

indicator_values as (
    select * from {{ ref('int_indicator_values') }}
    where {{ in_selected_years('year') }}
),

treatments as (
    select * from {{ ref('int_indicator_treatments') }}
    where {{ in_selected_years('year') }}
),

-- Every year built so far, not only this run's: a base-year score for year Y needs the base
-- year's values even when only Y is rebuilt.
built_indicator_values as (
    select * from {{ ref('int_indicator_values') }}
),

system_indicators as (
    select
        systems.system_code,
        systems.unit_level,
        systems.first_year,
        systems.last_year,
        systems.standardisation,
        systems.base_year,
        systems.constant_column_score,
        indicators.node_code as indicator_code,
        indicators.unit,
        indicators.direction
    from systems
    inner join indicators
        on systems.system_code = indicators.system_code
),

built_years as (
    select distinct
        year,
        unit_level
    from built_indicator_values
),

base_year_ranges as (
    select
        system_indicators.system_code,
        system_indicators.indicator_code,
        built_years.year is not null as base_year_built,
        min(built_indicator_values.raw_value) as base_min,
        max(built_indicator_values.raw_value) as base_max
    from system_indicators
    left join built_years
        on
            system_indicators.base_year = built_years.year
            and system_indicators.unit_level = built_years.unit_level
    left join built_indicator_values
        on
            system_indicators.indicator_code = built_indicator_values.indicator_code
            and system_indicators.unit_level = built_indicator_values.unit_level
            and system_indicators.base_year = built_indicator_values.year
    where system_indicators.standardisation = 'minmax_base_year'
    group by
        system_indicators.system_code,
        system_indicators.indicator_code,
        built_years.year
),

system_values as (
    select
        system_indicators.system_code,
        indicator_values.year,
        indicator_values.unit_level,
        indicator_values.unit_code,
        system_indicators.indicator_code,
        system_indicators.unit,
        system_indicators.direction,
        system_indicators.standardisation,
        system_indicators.base_year,
        system_indicators.constant_column_score,
        base_year_ranges.base_year_built,
        base_year_ranges.base_min,
        base_year_ranges.base_max,
        indicator_values.raw_value,
        indicator_values.provenance,
        indicator_values.source,
        indicator_values.value_flag,
        -- every scored value has its treatment row; without one the raw value is scored
        case
            when treatments.system_code is null then indicator_values.raw_value
            else treatments.treated_value
        end as scored_value
    from system_indicators
    inner join indicator_values
        on
            system_indicators.indicator_code = indicator_values.indicator_code
            and system_indicators.unit_level = indicator_values.unit_level
            and indicator_values.year
            between system_indicators.first_year and system_indicators.last_year
    left join base_year_ranges
        on
            system_indicators.system_code = base_year_ranges.system_code
            and system_indicators.indicator_code = base_year_ranges.indicator_code
    left join treatments
        on
            system_indicators.system_code = treatments.system_code
            and indicator_values.year = treatments.year
            and indicator_values.unit_level = treatments.unit_level
            and indicator_values.unit_code = treatments.unit_code
            and system_indicators.indicator_code = treatments.indicator_code
),

final as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        indicator_code,
        raw_value,
        unit,
        direction,
        case
            when standardisation = 'minmax_per_year'
                then {{ minmax_score(
                    'scored_value',
                    'direction',
                    'constant_column_score',
                    'partition by system_code, year, unit_level, indicator_code'
                ) }}
            -- Stop rather than score against a base year that is not there.
            when not base_year_built
                then error(
                    'index system ' || system_code || ' standardises on base year '
                    || base_year || ' (minmax_base_year), but int_indicator_values holds no '
                    || base_year || ' values for ' || unit_level || ' units: build year '
                    || base_year || ' as well (python -m suanli.cli materialize --years '
                    || base_year || ' ' || year || ')'
                )
            when base_min is null
                then error(
                    'index system ' || system_code || ': indicator ' || indicator_code
                    || ' has no value in base year ' || base_year
                    || ', so minmax_base_year cannot scale year ' || year
                )
            -- (a base-year system is never treated: systems.py refuses winsorise with it)
            else {{ base_year_score(
                'scored_value', 'direction', 'constant_column_score', 'base_min', 'base_max'
            ) }}
        end as score,
        provenance,
        source,
        value_flag
    from system_values
)

select * from final

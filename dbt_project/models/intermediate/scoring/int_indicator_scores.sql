{#- sync_all_columns: a warehouse built before a column was added takes it (a full run
    refills every year) instead of stopping the build. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    on_schema_change='sync_all_columns',
    tags=['by_year'],
) }}

-- Tertiary indicators of every system standardised min-max across the system's units, in the
-- indicator's direction (METHODOLOGY.md §2.1), by the system's `standardisation`:
-- minmax_per_year rescales each year to 0-100 on its own; minmax_base_year scales every year
-- by the base year's min and max, so scores compare across years and may leave 0-100.
-- A missing value is filled first when the system says so (`missing_impute`): year_median
-- (the median over the units with a value that year), previous_year (the unit's latest
-- earlier value within the system's years) or regional_mean (the mean over the units of its
-- region that year; a city's region is its province's). A filled value is standardised like
-- a delivered one and labelled: provenance 'imputed', value_flag 'imputed:<rule>', and the
-- source says what it was computed from. A value no rule can fill stays missing (no_data).
-- What is standardised (scored_value) is a delivered value after outlier treatment
-- (int_indicator_treatments: the value itself unless the system's `treatment` winsorises,
-- COINr's rule), or for a gap the imputed value; raw_value is the delivered (or imputed) one.
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

provinces as (
    select * from {{ ref('provinces') }}
),

cities as (
    select * from {{ ref('cities') }}
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
        systems.missing_impute,
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
        system_indicators.missing_impute,
        system_indicators.first_year,
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

unit_regions as (
    select
        'province' as unit_level,
        province_code as unit_code,
        region
    from provinces
    union all
    select
        'city' as unit_level,
        cities.city_code as unit_code,
        provinces.region
    from cities
    inner join provinces
        on cities.province_code = provinces.province_code
),

regional_values as (
    select
        system_values.*,
        unit_regions.region
    from system_values
    left join unit_regions
        on
            system_values.unit_level = unit_regions.unit_level
            and system_values.unit_code = unit_regions.unit_code
),

-- Sums take their terms in a fixed order (ordered aggregates), so re-runs are bit-identical.
year_medians as (
    select
        system_code,
        year,
        unit_level,
        indicator_code,
        median(raw_value) as imputed_value,
        count(raw_value) as n_values
    from system_values
    where missing_impute = 'year_median'
    group by system_code, year, unit_level, indicator_code
),

regional_means as (
    select
        system_code,
        year,
        unit_level,
        indicator_code,
        region,
        sum(raw_value order by unit_code) / count(raw_value) as imputed_value,
        count(raw_value) as n_values
    from regional_values
    where missing_impute = 'regional_mean'
    group by system_code, year, unit_level, indicator_code, region
),

-- the unit's latest earlier value within the system's years, from every year built so far
previous_values as (
    select
        gaps.system_code,
        gaps.year,
        gaps.unit_level,
        gaps.unit_code,
        gaps.indicator_code,
        arg_max(earlier.raw_value, earlier.year) as imputed_value,
        max(earlier.year) as from_year
    from system_values as gaps
    inner join built_indicator_values as earlier
        on
            gaps.unit_level = earlier.unit_level
            and gaps.unit_code = earlier.unit_code
            and gaps.indicator_code = earlier.indicator_code
            and gaps.year > earlier.year
            and gaps.first_year <= earlier.year
    where
        gaps.missing_impute = 'previous_year'
        and gaps.raw_value is null
        and earlier.raw_value is not null
    group by
        gaps.system_code,
        gaps.year,
        gaps.unit_level,
        gaps.unit_code,
        gaps.indicator_code
),

filled as (
    select
        regional_values.*,
        case regional_values.missing_impute
            when 'year_median' then year_medians.imputed_value
            when 'previous_year' then previous_values.imputed_value
            when 'regional_mean' then regional_means.imputed_value
        end as imputed_value,
        case regional_values.missing_impute
            when 'year_median'
                then
                    'imputed: median of ' || year_medians.n_values || ' units in '
                    || regional_values.year
            when 'previous_year'
                then 'imputed: the unit''s ' || previous_values.from_year || ' value'
            when 'regional_mean'
                then
                    'imputed: mean of ' || regional_means.n_values || ' units of region '
                    || regional_values.region || ' in ' || regional_values.year
        end as imputed_source
    from regional_values
    left join year_medians
        on
            regional_values.raw_value is null
            and regional_values.system_code = year_medians.system_code
            and regional_values.year = year_medians.year
            and regional_values.unit_level = year_medians.unit_level
            and regional_values.indicator_code = year_medians.indicator_code
    left join regional_means
        on
            regional_values.raw_value is null
            and regional_values.system_code = regional_means.system_code
            and regional_values.year = regional_means.year
            and regional_values.unit_level = regional_means.unit_level
            and regional_values.indicator_code = regional_means.indicator_code
            and regional_values.region = regional_means.region
    left join previous_values
        on
            regional_values.system_code = previous_values.system_code
            and regional_values.year = previous_values.year
            and regional_values.unit_level = previous_values.unit_level
            and regional_values.unit_code = previous_values.unit_code
            and regional_values.indicator_code = previous_values.indicator_code
),

imputed as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        indicator_code,
        unit,
        direction,
        standardisation,
        base_year,
        constant_column_score,
        base_year_built,
        base_min,
        base_max,
        provenance,
        source,
        value_flag,
        missing_impute,
        imputed_source,
        raw_value is null and imputed_value is not null as is_imputed,
        coalesce(raw_value, imputed_value) as raw_value,
        -- a delivered value as treated, else the imputed one (imputed from delivered values)
        coalesce(scored_value, imputed_value) as scored_value
    from filled
),

labelled as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        indicator_code,
        unit,
        direction,
        standardisation,
        base_year,
        constant_column_score,
        base_year_built,
        base_min,
        base_max,
        raw_value,
        scored_value,
        case when is_imputed then 'imputed' else provenance end as provenance,
        case when is_imputed then imputed_source else source end as source,
        case when is_imputed then 'imputed:' || missing_impute else value_flag end as value_flag
    from imputed
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
    from labelled
)

select * from final

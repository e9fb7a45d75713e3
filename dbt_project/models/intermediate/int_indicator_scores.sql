{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    on_schema_change='fail',
    tags=['by_year'],
) }}

-- Tertiary indicators of every system, standardised min-max to 0-100 across the system's units
-- within one year, in the indicator's direction (METHODOLOGY.md §2.1).
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

system_values as (
    select
        systems.system_code,
        indicator_values.year,
        indicator_values.unit_level,
        indicator_values.unit_code,
        indicators.node_code as indicator_code,
        indicators.unit,
        indicators.direction,
        systems.constant_column_score,
        indicator_values.raw_value,
        indicator_values.provenance,
        indicator_values.source,
        indicator_values.value_flag
    from systems
    inner join indicators
        on systems.system_code = indicators.system_code
    inner join indicator_values
        on
            indicators.node_code = indicator_values.indicator_code
            and systems.unit_level = indicator_values.unit_level
            and indicator_values.year between systems.first_year and systems.last_year
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
        {{ minmax_score(
            'raw_value',
            'direction',
            'constant_column_score',
            'partition by system_code, year, unit_level, indicator_code'
        ) }} as score,
        provenance,
        source,
        value_flag
    from system_values
)

select * from final

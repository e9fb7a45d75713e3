-- Each province's share of the national total of every additive indicator (`additive` in
-- the indicator catalogue) of every province-level system and year, with its rank and the
-- cumulative share down to it (the blue books' "the top five hold 48 %"). The national total
-- is int_national_indicator_values': the registry's national aggregate where it has one,
-- else the sum over the 31 provinces (`national_source`).
with

systems as (
    select * from {{ ref('stg_index_systems') }}
    where unit_level = 'province'
),

additive_indicators as (
    select indicator_code from {{ ref('indicators') }}
    where additive
),

indicators as (
    select * from {{ ref('int_index_weights') }}
    where
        n_children = 0
        and node_code in (select additive_indicators.indicator_code from additive_indicators)
),

province_values as (
    select * from {{ ref('int_indicator_values') }}
    where unit_level = 'province'
),

national_values as (
    select * from {{ ref('int_national_indicator_values') }}
),

shares as (
    select
        systems.system_code,
        province_values.year,
        province_values.unit_code as province_code,
        indicators.node_code as indicator_code,
        indicators.name_zh as indicator_name_zh,
        indicators.name_en as indicator_name_en,
        indicators.unit,
        province_values.raw_value,
        national_values.raw_value as national_value,
        national_values.national_source,
        100.0 * province_values.raw_value / nullif(national_values.raw_value, 0) as share_pct
    from systems
    inner join indicators
        on systems.system_code = indicators.system_code
    inner join province_values
        on
            indicators.node_code = province_values.indicator_code
            and province_values.year between systems.first_year and systems.last_year
    inner join national_values
        on
            province_values.year = national_values.year
            and province_values.indicator_code = national_values.indicator_code
),

final as (
    select
        system_code,
        year,
        province_code,
        indicator_code,
        indicator_name_zh,
        indicator_name_en,
        unit,
        raw_value,
        national_value,
        national_source,
        share_pct,
        rank() over (
            partition by system_code, year, indicator_code
            order by raw_value desc nulls last
        ) as share_rank,
        sum(share_pct) over (
            partition by system_code, year, indicator_code
            order by raw_value desc nulls last, province_code asc
            rows between unbounded preceding and current row
        ) as cumulative_share_pct
    from shares
)

select * from final

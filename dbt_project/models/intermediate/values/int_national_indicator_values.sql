{{ config(tags=['by_year']) }}

-- National values of indicators, for reconciliation with published national figures and for
-- national shares: the registry's own national aggregate where it has one (ratios such as PUE
-- need the centres), otherwise the sum over provinces for additive indicators
-- (`additive` in the indicator catalogue). `national_source` says which.
with

indicator_values as (
    select * from {{ ref('int_indicator_values') }}
),

additive_indicators as (
    select indicator_code from {{ ref('indicators') }}
    where additive
),

registry_national as (
    select
        year,
        indicator_code,
        raw_value,
        'registry' as national_source
    from indicator_values
    where unit_level = 'national'
),

summed_over_provinces as (
    select
        year,
        indicator_code,
        sum(raw_value) as raw_value,
        'sum_of_provinces' as national_source
    from indicator_values
    where
        unit_level = 'province'
        and indicator_code in (select additive_indicators.indicator_code from additive_indicators)
    group by year, indicator_code
),

final as (
    select * from registry_national
    union all
    select summed_over_provinces.*
    from summed_over_provinces
    left join registry_national
        on
            summed_over_provinces.year = registry_national.year
            and summed_over_provinces.indicator_code = registry_national.indicator_code
    where registry_national.indicator_code is null
)

select * from final

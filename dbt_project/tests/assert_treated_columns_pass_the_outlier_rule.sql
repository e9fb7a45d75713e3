{{ config(severity='warn') }}

-- A system that treats outliers (`treatment: {winsorise: true}`) and still has a column that
-- fails COINr's rule after the log transform: worth a look, not a stop (its scores are
-- computed all the same). Systems that do not treat are not warned about here, or every run
-- would warn: their flags are in marts.fct_indicator_treatments.
with

treatments as (
    select * from {{ ref('int_indicator_treatments') }}
),

final as (
    select distinct
        system_code,
        year,
        unit_level,
        indicator_code,
        treatment,
        skew_after,
        kurtosis_after
    from treatments
    where winsorise and flagged_after
)

select * from final

-- Outlier treatment of every indicator column (one system, year, unit level and indicator
-- across the system's units), treated or not: skewness and excess kurtosis before and after,
-- whether COINr's rule flags the column (|skew| ≥ max_skew and kurtosis ≥ max_kurtosis), what
-- was done (none, winsorised, log) when the system's definition treats outliers, the points
-- winsorised and the units whose value was changed, and whether the column is constant or
-- near-constant. A system with treatment off still shows its flags (treatment = 'none').
-- Figures are rounded to 1e-9 so that runs over the same values give the same marts.
with

treatments as (
    select * from {{ ref('int_indicator_treatments') }}
),

columns_treated as (
    select
        system_code,
        year,
        unit_level,
        indicator_code,
        winsorise,
        max_winsorised,
        max_skew,
        max_kurtosis,
        n_units,
        skew_before,
        kurtosis_before,
        flagged,
        treatment,
        n_winsorised,
        skew_after,
        kurtosis_after,
        flagged_after,
        is_constant,
        is_near_constant,
        mode_share,
        -- comma-separated in code order (the same text every run; a list type is one many BI
        -- tools cannot map); null when no unit was changed
        string_agg(unit_code, ',' order by unit_code) filter (where is_treated) as treated_units
    from treatments
    group by all
),

final as (
    select
        system_code,
        cast(year as integer) as year,
        unit_level,
        indicator_code,
        cast(n_units as integer) as n_units,
        {{ finite_rounded('skew_before') }} as skew_before,
        {{ finite_rounded('kurtosis_before') }} as kurtosis_before,
        flagged,
        treatment,
        cast(n_winsorised as integer) as n_winsorised,
        treated_units,
        {{ finite_rounded('skew_after') }} as skew_after,
        {{ finite_rounded('kurtosis_after') }} as kurtosis_after,
        flagged_after,
        is_constant,
        is_near_constant,
        {{ finite_rounded('mode_share') }} as mode_share,
        winsorise,
        cast(max_winsorised as integer) as max_winsorised,
        max_skew,
        max_kurtosis
    from columns_treated
)

select * from final

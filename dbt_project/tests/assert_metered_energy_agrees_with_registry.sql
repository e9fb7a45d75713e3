-- A warning, not a refusal: the meters and the registry are two honest sources that may
-- disagree (a registry figure typed from last year's report). Each row names a centre and
-- year whose metered PUE differs from the registry's by more than `metered_pue_tolerance`,
-- or a metered centre the registry does not list. The index takes the metered figure.
{{ config(severity='warn') }}

with

metered as (
    select * from {{ ref('int_centre_energy_years') }}
),

final as (
    select
        year,
        centre_id,
        centre_name,
        round(pue, 3) as metered_pue,
        round(registry_pue, 3) as registry_pue,
        round(pue_difference, 3) as pue_difference,
        case
            when centre_name is null then 'metered centre not in the registry of the year'
            else
                'metered PUE differs from the registry''s by more than '
                || {{ var('metered_pue_tolerance') }} * 100 || ' %'
        end as problem
    from metered
    where
        centre_name is null
        or abs(pue_difference) > {{ var('metered_pue_tolerance') }}
)

select * from final

-- Shown in Dagster as a check on indicators (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'indicators'}}}) }}

-- The indicator catalogue and the indicator models agree: every catalogued indicator is
-- produced by exactly one model, the one the catalogue names, and every produced indicator is
-- catalogued. Each returned row names the indicator and what is wrong.
with

produced as (
    select distinct
        indicator_code,
        indicator_model
    from ({{ union_indicator_models() }}) as indicator_rows
),

catalogue as (
    select * from {{ ref('indicators') }}
),

producers as (
    select
        indicator_code,
        count(*) as models,
        string_agg(indicator_model, ', ' order by indicator_model) as produced_by
    from produced
    group by indicator_code
),

final as (
    select
        catalogue.model as catalogued_model,
        producers.produced_by,
        coalesce(catalogue.indicator_code, producers.indicator_code) as indicator_code,
        case
            when catalogue.indicator_code is null then 'produced but not in the catalogue'
            when producers.indicator_code is null then 'catalogued but produced by no model'
            when producers.models > 1 then 'produced by more than one model'
            else 'produced by another model than the catalogue names'
        end as problem
    from catalogue
    full outer join producers
        on catalogue.indicator_code = producers.indicator_code
    where
        catalogue.indicator_code is null
        or producers.indicator_code is null
        or producers.models > 1
        or producers.produced_by != catalogue.model
)

select * from final

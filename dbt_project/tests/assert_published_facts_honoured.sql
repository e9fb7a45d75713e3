-- Shown in Dagster as a check on int_indicator_values (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'int_indicator_values'}}}) }}

-- Every published figure (METHODOLOGY.md §7, seeds/reference/published_facts.csv) holds in the
-- indicator values: province figures directly, national ones on the national aggregate, and
-- Top-10 orders as ranks, for the years built so far. Returns the facts that do not hold.
with

built_years as (
    select distinct year from {{ ref('int_indicator_values') }}
),

facts as (
    select * from {{ ref('published_facts') }}
    where year in (select built_years.year from built_years)
),

province_values as (
    select
        year,
        unit_code,
        indicator_code,
        raw_value,
        rank() over (
            partition by year, indicator_code order by raw_value desc
        ) as rank_desc,
        rank() over (
            partition by year, indicator_code order by raw_value asc
        ) as rank_asc
    from {{ ref('int_indicator_values') }}
    where unit_level = 'province'
),

national_values as (
    select * from {{ ref('int_national_indicator_values') }}
),

observed as (
    select
        facts.*,
        province_values.rank_desc,
        province_values.rank_asc,
        coalesce(province_values.raw_value, national_values.raw_value) as observed_value
    from facts
    left join province_values
        on
            facts.unit_level = 'province'
            and facts.year = province_values.year
            and facts.unit_code = province_values.unit_code
            and facts.indicator_code = province_values.indicator_code
    left join national_values
        on
            facts.unit_level = 'national'
            and facts.year = national_values.year
            and facts.indicator_code = national_values.indicator_code
),

final as (
    select *
    from observed
    where not coalesce(
        case comparison
            when 'eq'
                then
                    round(observed_value, cast(length(split_part(value, '.', 2)) as integer))
                    = cast(value as double)
            when 'gt' then observed_value > cast(value as double)
            when 'lt' then observed_value < cast(value as double)
            when 'rank_desc' then rank_desc = cast(value as double)
            when 'rank_asc' then rank_asc = cast(value as double)
        end,
        false
    )
)

select * from final

{{ config(materialized='view') }}

-- The blue book's city Top 30 of the city compute sub-index, every year, with names.
with

scores as (
    select * from {{ ref('fct_index_scores') }}
    where system_code = 'city_compute' and node_code = 'composite' and rank <= 30
),

cities as (
    select * from {{ ref('dim_city') }}
),

provinces as (
    select * from {{ ref('dim_province') }}
),

final as (
    select
        scores.year,
        scores.rank,
        scores.unit_code as city_code,
        cities.name_zh as city_name_zh,
        cities.name_en as city_name_en,
        provinces.name_zh as province_name_zh,
        scores.score,
        scores.rank_change
    from scores
    inner join cities on scores.unit_code = cities.city_code
    inner join provinces on cities.province_code = provinces.province_code
)

select * from final

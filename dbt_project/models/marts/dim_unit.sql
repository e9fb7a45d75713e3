-- Every unit an index ranks, provinces and cities in one place, so that views naming units
-- (Top 10s, wide scores, history) join one table instead of rebuilding this union.
with

provinces as (
    select * from {{ ref('dim_province') }}
),

cities as (
    select * from {{ ref('dim_city') }}
),

final as (
    select
        'province' as unit_level,
        province_code as unit_code,
        name_zh,
        name_en,
        province_code
    from provinces
    union all
    select
        'city' as unit_level,
        city_code as unit_code,
        name_zh,
        name_en,
        province_code
    from cities
)

select * from final

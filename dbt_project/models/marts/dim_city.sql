with

cities as (
    select * from {{ ref('cities') }}
),

final as (
    select
        cast(city_code as varchar) as city_code,
        name_zh,
        name_en,
        city_type,
        cast(province_code as varchar) as province_code,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(hosts_compute_centres as boolean) as hosts_compute_centres,
        vintage
    from cities
)

select * from final

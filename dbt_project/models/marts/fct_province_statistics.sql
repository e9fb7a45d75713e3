with

province_statistics as (
    select * from {{ ref('int_province_statistics') }}
),

statistics as (
    select * from {{ ref('statistics') }}
),

final as (
    select
        province_statistics.province_code,
        cast(province_statistics.year as integer) as year,
        province_statistics.statistic_code,
        statistics.name_zh as statistic_name_zh,
        statistics.name_en as statistic_name_en,
        province_statistics.value,
        province_statistics.unit,
        province_statistics.provenance,
        province_statistics.provenance_source,
        province_statistics.delivery_file,
        province_statistics.unit_as_delivered,
        province_statistics.unit_factor
    from province_statistics
    inner join statistics
        on province_statistics.statistic_code = statistics.statistic_code
    -- a figure the newest delivery left blank has no row (no data in that vintage)
    where province_statistics.value is not null
)

select * from final

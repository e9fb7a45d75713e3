-- Shown in Dagster as a check on stg_provincial_statistics (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'stg_provincial_statistics'}}}) }}

-- A delivered unit must convert to the unit its statistic is kept in (units.csv and
-- statistics.csv are maintained separately): 万元 for GDP would be 亿元 × 10⁻⁴ off otherwise.
with

delivered as (
    select * from {{ ref('stg_provincial_statistics') }}
),

statistics as (
    select * from {{ ref('statistics') }}
),

final as (
    select
        delivered.delivery_file,
        delivered.delivery_row,
        delivered.statistic_code,
        delivered.unit_as_delivered,
        delivered.unit,
        statistics.canonical_unit
    from delivered
    inner join statistics on delivered.statistic_code = statistics.statistic_code
    where delivered.unit is distinct from statistics.canonical_unit
)

select * from final

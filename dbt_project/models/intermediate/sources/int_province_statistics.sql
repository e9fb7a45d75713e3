-- One value per province, year and statistic. When several delivered files carry the same
-- figure (an NBS export and a later panel with a revised GDP), the most recently received
-- file wins, blanks included: a cell the newest file leaves without data means no data in
-- this vintage (value null), never a silent fall-back to an older file's figure. Only a year
-- in which a file has no value for the statistic at all (a year not yet published, or not
-- covered) is not that file's to blank, and an older file's figures for it stand. Whether a
-- missing value is then imputed is each index system's `missing` policy.
with

delivered as (
    select * from {{ ref('stg_provincial_statistics') }}
),

-- the statistics and years each file reports: some province has a value
reported as (
    select
        delivery_id,
        statistic_code,
        year
    from delivered
    group by delivery_id, statistic_code, year
    having count(value) > 0
),

ranked as (
    select
        delivered.*,
        row_number() over (
            partition by delivered.province_code, delivered.year, delivered.statistic_code
            order by delivered.delivery_received_at desc, delivered.delivery_file desc
        ) as recency
    from delivered
    semi join reported
        on
            delivered.delivery_id = reported.delivery_id
            and delivered.statistic_code = reported.statistic_code
            and delivered.year = reported.year
),

final as (
    select
        province_code,
        year,
        statistic_code,
        value,
        unit,
        provenance,
        provenance_source,
        delivery_file,
        delivery_id,
        delivery_row,
        unit_as_delivered,
        unit_factor
    from ranked
    where recency = 1
)

select * from final

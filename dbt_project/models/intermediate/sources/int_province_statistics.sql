-- One value per province, year and statistic. When several delivered files carry the same
-- figure (an NBS export and a later panel with a revised GDP), the most recently received
-- file wins; a cell the publisher left without data is no value.
with

delivered as (
    select * from {{ ref('stg_provincial_statistics') }}
    where value is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by province_code, year, statistic_code
            order by delivery_received_at desc, delivery_file desc
        ) as recency
    from delivered
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

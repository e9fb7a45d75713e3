-- Statistics-bureau values: region, statistic and unit come resolved from intake (codes and
-- the units seed's spelling); delivered units are converted to canonical ones here, and the
-- factor is kept, so every conversion can be traced back.
with

delivered as (
    {{ current_delivery_rows('provincial_statistics') }}
),

units as (
    select * from {{ ref('units') }}
),

final as (
    select
        delivered.region as province_code,
        delivered.region_as_delivered,
        delivered.year,
        delivered.statistic as statistic_code,
        delivered.statistic_as_delivered,
        units.canonical_unit as unit,
        delivered.unit_as_delivered,
        units.factor as unit_factor,
        delivered.value_text,
        delivered.dataset,
        delivered.provenance,
        delivered.provenance_source,
        delivered.delivery_file,
        deliveries.received_at as delivery_received_at,
        delivered._delivery_id as delivery_id,
        delivered.source_row as delivery_row,
        delivered.source_column as delivery_column,
        delivered.value * units.factor as value
    from delivered
    inner join {{ source('raw', 'deliveries') }} as deliveries
        on delivered._delivery_id = deliveries.delivery_id
    inner join units
        on delivered.unit = units.unit
)

select * from final

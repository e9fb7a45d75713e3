-- Statistics-bureau values: region names to codes, statistic names to codes, delivered units
-- to canonical ones (the factor is kept, so every conversion can be traced back).
with

delivered as (
    {{ current_delivery_rows('provincial_statistics') }}
),

statistic_aliases as (
    select * from {{ ref('statistic_aliases') }}
),

units as (
    select * from {{ ref('units') }}
),

final as (
    select
        {{ province_code('delivered.region') }} as province_code,
        trim(delivered.region) as region_as_delivered,
        {{ to_integer('delivered.year') }} as year,
        statistic_aliases.statistic_code,
        trim(delivered.statistic) as statistic_as_delivered,
        {{ to_double('delivered.value') }} * units.factor as value,
        units.canonical_unit as unit,
        trim(delivered.unit) as unit_as_delivered,
        units.factor as unit_factor,
        delivered.value_text,
        delivered.dataset,
        trim(delivered.provenance) as provenance,
        trim(delivered.provenance_source) as provenance_source,
        delivered.delivery_file,
        deliveries.received_at as delivery_received_at,
        {{ to_integer('delivered.source_row') }} as delivery_row,
        delivered.source_column as delivery_column
    from delivered
    inner join {{ source('raw', 'deliveries') }} as deliveries
        on delivered._delivery_id = deliveries.delivery_id
    left join statistic_aliases
        on trim(delivered.statistic) = statistic_aliases.alias
    left join units
        on trim(delivered.unit) = units.unit
)

select * from final

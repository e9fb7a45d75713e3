-- Hourly meter registers of the month files in force, one row per centre and hour.
with

delivered as (
    {{ current_delivery_rows('centre_energy') }}
),

final as (
    select
        cast(left(delivery_partition, 4) as integer) as year,
        delivery_partition as month,
        centre_id,
        reading_hour,
        facility_kwh,
        it_kwh,
        clean_kwh,
        co2_kg,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
)

select * from final

-- The record-level step: millions of hourly readings to one row per centre and month file,
-- holding what the year's figures need (the first and the last reading of each register, and
-- the rows they came from). Registers never run backwards within a file (intake refuses a
-- reset), so a month's energy is its last reading minus its first.
with

readings as (
    select * from {{ ref('stg_centre_energy') }}
),

final as (
    select
        year,
        month,
        centre_id,
        delivery_id,
        delivery_file,
        count(*) as hours_present,
        min(reading_hour) as first_hour,
        max(reading_hour) as last_hour,
        min_by(facility_kwh, reading_hour) as first_facility_kwh,
        max_by(facility_kwh, reading_hour) as last_facility_kwh,
        min_by(it_kwh, reading_hour) as first_it_kwh,
        max_by(it_kwh, reading_hour) as last_it_kwh,
        min_by(clean_kwh, reading_hour) as first_clean_kwh,
        max_by(clean_kwh, reading_hour) as last_clean_kwh,
        min_by(co2_kg, reading_hour) as first_co2_kg,
        max_by(co2_kg, reading_hour) as last_co2_kg,
        count(co2_kg) as hours_with_co2,
        min_by(delivery_row, reading_hour) as first_row,
        max_by(delivery_row, reading_hour) as last_row,
        {{ combined_provenance('provenance') }} as provenance
    from readings
    group by year, month, centre_id, delivery_id, delivery_file
)

select * from final

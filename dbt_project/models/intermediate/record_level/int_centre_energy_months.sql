-- The record-level step: millions of hourly readings to one row per centre and month file,
-- holding what the year's figures need (the first and the last reading of each register, and
-- the rows they came from). Registers never run backwards within a file (intake refuses a
-- reset), so a month's energy is its last reading minus its first. Portable: it runs on DuckDB
-- and, under the `spark` target, on Spark (first_present/last_present: a register's first and
-- last non-null reading, dispatched per engine, macros/record_level.sql).
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
        {{ first_present('facility_kwh', 'reading_hour') }} as first_facility_kwh,
        {{ last_present('facility_kwh', 'reading_hour') }} as last_facility_kwh,
        {{ first_present('it_kwh', 'reading_hour') }} as first_it_kwh,
        {{ last_present('it_kwh', 'reading_hour') }} as last_it_kwh,
        {{ first_present('clean_kwh', 'reading_hour') }} as first_clean_kwh,
        {{ last_present('clean_kwh', 'reading_hour') }} as last_clean_kwh,
        {{ first_present('co2_kg', 'reading_hour') }} as first_co2_kg,
        {{ last_present('co2_kg', 'reading_hour') }} as last_co2_kg,
        count(co2_kg) as hours_with_co2,
        {{ first_present('delivery_row', 'reading_hour') }} as first_row,
        {{ last_present('delivery_row', 'reading_hour') }} as last_row,
        {{ combined_provenance('provenance') }} as provenance
    from readings
    group by year, month, centre_id, delivery_id, delivery_file
)

select * from final

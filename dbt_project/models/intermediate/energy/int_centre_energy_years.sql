-- Metered energy per centre and year, from the month files' first and last readings.
-- A register's energy over the year is the sum of each month's (last − first) and of each
-- step between consecutive files (next file's first − previous file's last), so hours missing
-- inside the year lose no energy. A step where a register ran backwards between two files
-- (a meter replaced at a month's turn) counts neither energy nor hours. Figures over the
-- metered span are annualised (× hours in the year ÷ hours spanned); PUE, CUE and the clean
-- share are ratios over the same span and need no scaling.
with

months as (
    select * from {{ ref('int_centre_energy_months') }}
),

registry as (
    select * from {{ ref('stg_compute_centres') }}
),

steps as (
    select
        *,
        lag(last_hour) over by_month as previous_last_hour,
        lag(last_facility_kwh) over by_month as previous_facility_kwh,
        lag(last_it_kwh) over by_month as previous_it_kwh,
        lag(last_clean_kwh) over by_month as previous_clean_kwh,
        lag(last_co2_kg) over by_month as previous_co2_kg
    from months
    window by_month as (partition by centre_id, year order by month)
),

increments as (
    select
        *,
        previous_last_hour is not null
        and first_facility_kwh >= previous_facility_kwh
        and first_it_kwh >= previous_it_kwh
        and first_clean_kwh >= previous_clean_kwh
        and coalesce(first_co2_kg >= previous_co2_kg, true) as counts_step,
        previous_last_hour is not null and not (
            first_facility_kwh >= previous_facility_kwh
            and first_it_kwh >= previous_it_kwh
            and first_clean_kwh >= previous_clean_kwh
            and coalesce(first_co2_kg >= previous_co2_kg, true)
        ) as is_reset_between_files
    from steps
),

spans as (
    select
        year,
        centre_id,
        count(*) as month_files,
        sum(hours_present) as hours_present,
        min(first_hour) as first_reading,
        max(last_hour) as last_reading,
        sum(
            date_diff('hour', first_hour, last_hour)
            + case
                when counts_step then date_diff('hour', previous_last_hour, first_hour) else 0
            end
        ) as span_hours,
        sum(
            last_facility_kwh - first_facility_kwh
            + case when counts_step then first_facility_kwh - previous_facility_kwh else 0 end
        ) as facility_kwh,
        sum(
            last_it_kwh - first_it_kwh
            + case when counts_step then first_it_kwh - previous_it_kwh else 0 end
        ) as it_kwh,
        sum(
            last_clean_kwh - first_clean_kwh
            + case when counts_step then first_clean_kwh - previous_clean_kwh else 0 end
        ) as clean_kwh,
        case
            when sum(hours_with_co2) = sum(hours_present)
                then sum(
                    last_co2_kg - first_co2_kg
                    + case when counts_step then first_co2_kg - previous_co2_kg else 0 end
                )
        end as co2_kg,
        sum(case when is_reset_between_files then 1 else 0 end) as resets_between_files,
        {{ combined_provenance('provenance') }} as provenance,
        -- the rows the figures are computed from: each file's first and last reading
        list_sort(flatten(list([
            { 'delivery_id': delivery_id, 'delivery_row': first_row },
            { 'delivery_id': delivery_id, 'delivery_row': last_row }
        ]))) as lineage
    from increments
    group by year, centre_id
),

final as (
    select
        spans.year,
        spans.centre_id,
        registry.centre_name,
        registry.province_code,
        registry.city_code,
        spans.month_files,
        spans.hours_present,
        {{ hours_in_year('spans.year') }} as hours_in_year,
        spans.hours_present / {{ hours_in_year('spans.year') }} as metering_coverage,
        spans.first_reading,
        spans.last_reading,
        spans.span_hours,
        spans.resets_between_files,
        spans.facility_kwh / 1000 as span_facility_mwh,
        spans.it_kwh / 1000 as span_it_mwh,
        spans.clean_kwh / 1000 as span_clean_mwh,
        spans.co2_kg / 1000 as span_co2_tonnes,
        {{ ratio('spans.facility_kwh', 'spans.it_kwh') }} as pue,
        -- kg per kWh of IT energy, the registry's t/MWh
        {{ ratio('spans.co2_kg', 'spans.it_kwh') }} as cue,
        {{ ratio('spans.clean_kwh', 'spans.facility_kwh') }} as clean_energy_share,
        registry.total_energy_mwh as registry_total_energy_mwh,
        registry.it_energy_mwh as registry_it_energy_mwh,
        {{ ratio('registry.total_energy_mwh', 'registry.it_energy_mwh') }} as registry_pue,
        spans.provenance,
        'centre_energy: ' || spans.month_files || ' month files' as source,
        spans.lineage
    from spans
    left join registry
        on spans.year = registry.year and spans.centre_id = registry.centre_id
),

annualised as (
    select
        *,
        -- the year's energy, from the metered span scaled to the whole year
        span_facility_mwh * hours_in_year / nullif(span_hours, 0) as facility_mwh,
        span_it_mwh * hours_in_year / nullif(span_hours, 0) as it_mwh,
        span_clean_mwh * hours_in_year / nullif(span_hours, 0) as clean_mwh,
        span_co2_tonnes * hours_in_year / nullif(span_hours, 0) as co2_tonnes,
        {{ ratio('pue - registry_pue', 'registry_pue') }} as pue_difference,
        -- metered figures replace the registry's where the meters saw enough of the year
        metering_coverage >= {{ var('metered_min_coverage') }}
        and centre_name is not null as is_used_in_index
    from final
)

select * from annualised

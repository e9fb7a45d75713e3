-- Metered energy efficiency per centre, city, province and the nation, per year: PUE, CUE,
-- clean-energy share and metering coverage from the meters (centre_energy), beside the
-- registry's PUE. A unit's coverage counts its registry centres in production that sent no
-- readings as hours missing, so a province with one metered centre of ten shows 10 % at most.
with

metered as (
    select * from {{ ref('int_centre_energy_years') }}
),

registry as (
    select * from {{ ref('stg_compute_centres') }}
    where racks_in_use > 0
),

centres as (
    select
        year,
        'centre' as unit_level,
        centre_id as unit_code,
        centre_name as unit_name_zh,
        province_code,
        city_code,
        1 as metered_centres,
        hours_present,
        hours_in_year,
        metering_coverage,
        facility_mwh,
        it_mwh,
        clean_mwh,
        co2_tonnes,
        pue,
        cue,
        clean_energy_share,
        registry_pue,
        pue_difference,
        is_used_in_index,
        provenance,
        source,
        lineage
    from metered
),

registry_units as (
    select
        year,
        {{ grouping_unit() }},
        count(*) as registry_centres,
        {{ ratio('sum(total_energy_mwh)', 'sum(it_energy_mwh)') }} as registry_pue
    from registry
    group by grouping sets ((year, province_code), (year, city_code), (year))
),

metered_units as (
    select
        year,
        {{ grouping_unit() }},
        count(*) as metered_centres,
        sum(hours_present) as hours_present,
        max(hours_in_year) as hours_in_year,
        sum(facility_mwh) as facility_mwh,
        sum(it_mwh) as it_mwh,
        sum(clean_mwh) as clean_mwh,
        sum(co2_tonnes) as co2_tonnes,
        bool_or(is_used_in_index) as is_used_in_index,
        {{ combined_provenance('provenance') }} as provenance,
        'centre_energy: ' || count(*) || ' centres metered' as source
    from metered
    -- a centre missing from the registry has no province: it is listed, never grouped
    where province_code is not null
    group by grouping sets ((year, province_code), (year, city_code), (year))
    having grouping(city_code) = 1 or city_code is not null
),

units as (
    select
        metered_units.year,
        metered_units.unit_level,
        metered_units.unit_code,
        coalesce(provinces.name_zh, cities.name_zh, '全国') as unit_name_zh,
        case when metered_units.unit_level = 'province' then metered_units.unit_code end
            as province_code,
        case when metered_units.unit_level = 'city' then metered_units.unit_code end as city_code,
        metered_units.metered_centres,
        metered_units.hours_present,
        metered_units.hours_in_year,
        metered_units.hours_present / (
            greatest(registry_units.registry_centres, metered_units.metered_centres)
            * metered_units.hours_in_year
        ) as metering_coverage,
        metered_units.facility_mwh,
        metered_units.it_mwh,
        metered_units.clean_mwh,
        metered_units.co2_tonnes,
        {{ ratio('metered_units.facility_mwh', 'metered_units.it_mwh') }} as pue,
        {{ ratio('metered_units.co2_tonnes', 'metered_units.it_mwh') }} as cue,
        {{ ratio('metered_units.clean_mwh', 'metered_units.facility_mwh') }} as clean_energy_share,
        registry_units.registry_pue,
        {{ ratio(
            ratio('metered_units.facility_mwh', 'metered_units.it_mwh')
            ~ ' - registry_units.registry_pue',
            'registry_units.registry_pue'
        ) }} as pue_difference,
        metered_units.is_used_in_index,
        metered_units.provenance,
        metered_units.source
    from metered_units
    left join registry_units
        on
            metered_units.year = registry_units.year
            and metered_units.unit_level = registry_units.unit_level
            and metered_units.unit_code = registry_units.unit_code
    left join {{ ref('provinces') }} as provinces
        on
            metered_units.unit_level = 'province'
            and metered_units.unit_code = provinces.province_code
    left join {{ ref('cities') }} as cities
        on metered_units.unit_level = 'city' and metered_units.unit_code = cities.city_code
),

stacked as (
    select * from centres
    union all by name
    select * from units
),

final as (
    select
        cast(year as integer) as year,
        unit_level,
        unit_code,
        unit_name_zh,
        province_code,
        city_code,
        cast(metered_centres as integer) as metered_centres,
        cast(hours_present as bigint) as hours_present,
        cast(hours_in_year as integer) as hours_in_year,
        {{ finite_rounded('metering_coverage') }} as metering_coverage,
        {{ finite_rounded('facility_mwh') }} as facility_mwh,
        {{ finite_rounded('it_mwh') }} as it_mwh,
        {{ finite_rounded('clean_mwh') }} as clean_mwh,
        {{ finite_rounded('co2_tonnes') }} as co2_tonnes,
        {{ finite_rounded('pue') }} as pue,
        {{ finite_rounded('cue') }} as cue,
        {{ finite_rounded('clean_energy_share') }} as clean_energy_share,
        {{ finite_rounded('registry_pue') }} as registry_pue,
        {{ finite_rounded('pue_difference') }} as pue_difference,
        is_used_in_index,
        provenance,
        source,
        -- a centre's rows as JSON text (BI tools and the workbook read text); a region's
        -- figures trace through its centres' rows (their province_code and city_code)
        case when unit_level = 'centre' then cast(to_json(lineage) as varchar) end as lineage
    from stacked
)

select * from final

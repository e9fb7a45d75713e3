-- Province-year indicators computed from the compute-centre registry. Ratios are computed
-- from summed numerators and denominators (energy-weighted), never as means of centre ratios.
-- The same formulas give cities (prefecture-level divisions; centres in the four
-- municipalities belong to no city) and the national aggregate (unit_code 100000).
-- Where a centre's meters read enough of the year (int_centre_energy_years.is_used_in_index),
-- its metered energy replaces the registry's, and its values are `derived` from centre_energy
-- (the rows they come from join the lineage).
with

registry as (
    select * from {{ ref('stg_compute_centres') }}
),

metered as (
    select * from {{ ref('int_centre_energy_years') }}
    where is_used_in_index
),

centres as (
    select
        registry.* replace (
            coalesce(metered.facility_mwh, registry.total_energy_mwh) as total_energy_mwh,
            coalesce(metered.it_mwh, registry.it_energy_mwh) as it_energy_mwh,
            coalesce(metered.co2_tonnes, registry.co2_tonnes) as co2_tonnes,
            coalesce(metered.clean_mwh, registry.clean_energy_mwh) as clean_energy_mwh,
            coalesce(metered.provenance, registry.provenance) as provenance
        ),
        metered.lineage as metered_lineage,
        metered.centre_id is not null as is_metered
    from registry
    left join metered
        on registry.year = metered.year and registry.centre_id = metered.centre_id
),

unit_totals as (
    select
        year,
        {{ grouping_unit() }},
        sum(racks_in_use) as racks_in_use,
        sum(racks_under_construction) as racks_under_construction,
        sum(racks_fitted_out) as racks_fitted_out,
        sum(racks_used) as racks_used,
        sum(intelligent_compute_eflops) as intelligent_compute_eflops,
        sum(storage_capacity_pb) as storage_capacity_pb,
        sum(external_storage_pb) as external_storage_pb,
        sum(all_flash_pb) as all_flash_pb,
        sum(storage_iops) as storage_iops,
        sum(total_energy_mwh) as total_energy_mwh,
        sum(it_energy_mwh) as it_energy_mwh,
        sum(co2_tonnes) as co2_tonnes,
        sum(clean_energy_mwh) as clean_energy_mwh,
        sum(electricity_price_yuan_per_kwh * total_energy_mwh) as price_weighted_energy,
        sum(revenue_yi_yuan) as revenue_yi_yuan,
        sum(egress_bandwidth_gbps) as egress_bandwidth_gbps,
        sum(case when racks_in_use > 0 then 1 else 0 end) as centres_in_production,
        sum(
            case when racks_in_use > 0 and is_backbone_connected then 1 else 0 end
        ) as backbone_connected_centres,
        sum(
            case when racks_in_use > 0 and is_metro_connected then 1 else 0 end
        ) as metro_connected_centres,
        sum(
            case when racks_in_use > 0 and has_high_performance_network then 1 else 0 end
        ) as high_performance_network_centres,
        {{ combined_provenance('provenance') }} as provenance,
        'compute_centres: ' || max(delivery_file) || coalesce(
            ' + centre_energy: ' || nullif(sum(case when is_metered then 1 else 0 end), 0)
            || ' centres metered',
            ''
        ) as source,
        list_sort(list_distinct(list_concat(
            {{ rows_lineage() }},
            coalesce(flatten(list(metered_lineage) filter (where metered_lineage is not null)), [])
        ))) as lineage
    from centres
    group by grouping sets ((year, province_code), (year, city_code), (year))
    -- a centre whose province or city is unknown is left to the staging checks, not grouped
    having
        (grouping(province_code) = 1 or province_code is not null)
        and (grouping(city_code) = 1 or city_code is not null)
),

indicators as (
    select
        year,
        unit_level,
        unit_code,
        provenance,
        source,
        lineage,
        racks_in_use / 10000.0 as racks_in_use,
        racks_under_construction / 10000.0 as racks_under_construction,
        intelligent_compute_eflops as intelligent_compute,
        100.0 * {{ ratio('racks_used', 'racks_fitted_out') }} as rack_utilisation,
        {{ ratio('total_energy_mwh', 'it_energy_mwh') }} as pue,
        -- tonnes per MWh is kilograms per kWh
        {{ ratio('co2_tonnes', 'it_energy_mwh') }} as cue,
        revenue_yi_yuan as compute_revenue,
        storage_capacity_pb / 1000.0 as storage_capacity,
        1000.0 * {{ ratio('storage_capacity_pb', 'racks_in_use') }} as storage_per_rack,
        {{ ratio('storage_iops', '1000.0 * storage_capacity_pb') }} as storage_iops,
        {{ ratio('storage_capacity_pb / 1000.0', 'intelligent_compute_eflops') }}
            as storage_compute_balance,
        100.0 * {{ ratio('all_flash_pb', 'external_storage_pb') }} as advanced_storage_share,
        egress_bandwidth_gbps / 1000.0 as centre_egress_bandwidth,
        1000.0 * {{ ratio('egress_bandwidth_gbps', 'racks_in_use') }} as bandwidth_per_rack,
        backbone_connected_centres,
        metro_connected_centres,
        100.0 * {{ ratio('high_performance_network_centres', 'centres_in_production') }}
            as high_performance_network_share,
        {{ ratio('price_weighted_energy', 'total_energy_mwh') }} as electricity_price,
        100.0 * {{ ratio('clean_energy_mwh', 'total_energy_mwh') }} as clean_energy_share
    from unit_totals
),

final as (
    {{ unpivot_indicators(
        'indicators',
        ['year', 'unit_level', 'unit_code', 'provenance', 'source', 'lineage'],
        {
            'racks_in_use': 'racks_in_use',
            'racks_under_construction': 'racks_under_construction',
            'intelligent_compute': 'intelligent_compute',
            'rack_utilisation': 'rack_utilisation',
            'pue': 'pue',
            'cue': 'cue',
            'compute_revenue': 'compute_revenue',
            'storage_capacity': 'storage_capacity',
            'storage_per_rack': 'storage_per_rack',
            'storage_iops': 'storage_iops',
            'storage_compute_balance': 'storage_compute_balance',
            'advanced_storage_share': 'advanced_storage_share',
            'centre_egress_bandwidth': 'centre_egress_bandwidth',
            'bandwidth_per_rack': 'bandwidth_per_rack',
            'backbone_connected_centres': 'backbone_connected_centres',
            'metro_connected_centres': 'metro_connected_centres',
            'high_performance_network_share': 'high_performance_network_share',
            'electricity_price': 'electricity_price',
            'clean_energy_share': 'clean_energy_share',
        }
    ) }}
)

select * from final

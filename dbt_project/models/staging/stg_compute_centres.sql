with

delivered as (
    {{ current_delivery_rows('compute_centres') }}
),

coded as (
    select
        *,
        {{ province_code('province') }} as province_code
    from delivered
),

final as (
    select
        cast(delivery_partition as integer) as year,
        trim(centre_id) as centre_id,
        trim(centre_name) as centre_name,
        province_code,
        trim(province) as province_as_delivered,
        {{ city_code('coded.city', 'coded.province_code') }} as city_code,
        trim(city) as city_as_delivered,
        {{ to_integer('racks_in_use') }} as racks_in_use,
        {{ to_integer('racks_under_construction') }} as racks_under_construction,
        {{ to_integer('racks_fitted_out') }} as racks_fitted_out,
        {{ to_integer('racks_used') }} as racks_used,
        {{ to_double('intelligent_compute_pflops') }} / 1000 as intelligent_compute_eflops,
        {{ to_double('general_compute_pflops') }} / 1000 as general_compute_eflops,
        {{ to_double('storage_capacity_pb') }} as storage_capacity_pb,
        {{ to_double('external_storage_pb') }} as external_storage_pb,
        {{ to_double('all_flash_pb') }} as all_flash_pb,
        {{ to_double('storage_iops') }} as storage_iops,
        {{ to_double('total_energy_mwh') }} as total_energy_mwh,
        {{ to_double('it_energy_mwh') }} as it_energy_mwh,
        {{ to_double('co2_tonnes') }} as co2_tonnes,
        {{ to_double('clean_energy_mwh') }} as clean_energy_mwh,
        {{ to_double('electricity_price_yuan_per_kwh') }} as electricity_price_yuan_per_kwh,
        {{ to_double('revenue_wan_yuan') }} / 10000 as revenue_yi_yuan,
        {{ to_double('egress_bandwidth_gbps') }} as egress_bandwidth_gbps,
        {{ yes_no('backbone_connected') }} as is_backbone_connected,
        {{ yes_no('metro_connected') }} as is_metro_connected,
        {{ yes_no('high_performance_network') }} as has_high_performance_network,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from coded
)

select * from final

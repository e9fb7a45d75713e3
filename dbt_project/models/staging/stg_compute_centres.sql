with

delivered as (
    {{ current_delivery_rows('compute_centres') }}
),

final as (
    select
        cast(delivery_partition as integer) as year,
        centre_id,
        centre_name,
        province as province_code,
        province_as_delivered,
        city as city_code,
        city_as_delivered,
        racks_in_use,
        racks_under_construction,
        racks_fitted_out,
        racks_used,
        storage_capacity_pb,
        external_storage_pb,
        all_flash_pb,
        storage_iops,
        total_energy_mwh,
        it_energy_mwh,
        co2_tonnes,
        clean_energy_mwh,
        electricity_price_yuan_per_kwh,
        egress_bandwidth_gbps,
        backbone_connected as is_backbone_connected,
        metro_connected as is_metro_connected,
        high_performance_network as has_high_performance_network,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row,
        intelligent_compute_pflops / 1000 as intelligent_compute_eflops,
        general_compute_pflops / 1000 as general_compute_eflops,
        revenue_wan_yuan / 10000 as revenue_yi_yuan
    from delivered
)

select * from final

with

delivered as (
    {{ current_delivery_rows('network_stats') }}
),

final as (
    select
        year,
        province as province_code,
        province_as_delivered,
        city_network_1ms_cases,
        otn_coverage_pct,
        private_line_users,
        fixed_download_mbps,
        mobile_download_mbps,
        direct_connect_points,
        oxc_deployment_pct,
        inter_centre_latency_ms,
        inter_centre_loss_pct,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row,
        broadband_ports / 10000 as broadband_ports_wan,
        inter_provincial_bandwidth_gbps
        / 1000 as inter_provincial_bandwidth_tbps
    from delivered
)

select * from final

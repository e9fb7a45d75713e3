with

delivered as (
    {{ current_delivery_rows('network_stats') }}
),

final as (
    select
        {{ to_integer('year') }} as year,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_double('city_network_1ms_cases') }} as city_network_1ms_cases,
        {{ to_double('broadband_ports') }} / 10000 as broadband_ports_wan,
        {{ to_double('otn_coverage_pct') }} as otn_coverage_pct,
        {{ to_double('private_line_users') }} as private_line_users,
        {{ to_double('fixed_download_mbps') }} as fixed_download_mbps,
        {{ to_double('mobile_download_mbps') }} as mobile_download_mbps,
        {{ to_double('direct_connect_points') }} as direct_connect_points,
        {{ to_double('inter_provincial_bandwidth_gbps') }}
        / 1000 as inter_provincial_bandwidth_tbps,
        {{ to_double('oxc_deployment_pct') }} as oxc_deployment_pct,
        {{ to_double('inter_centre_latency_ms') }} as inter_centre_latency_ms,
        {{ to_double('inter_centre_loss_pct') }} as inter_centre_loss_pct,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

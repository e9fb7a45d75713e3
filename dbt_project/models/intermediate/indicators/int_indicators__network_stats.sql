-- Province-year network indicators. Inter-centre network quality is 100 × (20 ms ÷ latency)
-- × (1 − loss): 100 means the national 20 ms inter-hub target is met with no packet loss.
-- Broadband ports delivered by a statistics bureau replace the network delivery's figure: the
-- index year's data are as of its March cut-off, so they are the previous calendar year's.
with

network as (
    select * from {{ ref('stg_network_stats') }}
),

province_statistics as (
    select * from {{ ref('int_province_statistics') }}
),

indicators as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        'network_stats: ' || delivery_file as source,
        {{ row_lineage() }} as lineage,
        city_network_1ms_cases,
        broadband_ports_wan,
        otn_coverage_pct,
        private_line_users,
        fixed_download_mbps,
        mobile_download_mbps,
        direct_connect_points,
        inter_provincial_bandwidth_tbps,
        oxc_deployment_pct,
        100.0 * {{ ratio('20.0', 'inter_centre_latency_ms') }}
        * (1 - inter_centre_loss_pct / 100.0) as inter_centre_network_quality
    from network
),

network_indicators as (
    {{ unpivot_indicators(
        'indicators',
        ['year', 'unit_level', 'unit_code', 'provenance', 'source', 'lineage'],
        {
            'city_network_1ms_cases': 'city_network_1ms',
            'broadband_ports_wan': 'broadband_ports',
            'otn_coverage_pct': 'otn_coverage',
            'private_line_users': 'private_line_users',
            'fixed_download_mbps': 'fixed_download_speed',
            'mobile_download_mbps': 'mobile_download_speed',
            'direct_connect_points': 'direct_connect_points',
            'inter_provincial_bandwidth_tbps': 'inter_provincial_bandwidth',
            'oxc_deployment_pct': 'oxc_deployment',
            'inter_centre_network_quality': 'inter_centre_network_quality',
        }
    ) }}
),

delivered_broadband_ports as (
    select
        year + 1 as year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        'provincial_statistics: ' || delivery_file || ' (' || provenance_source || ')' as source,
        {{ row_lineage() }} as lineage,
        'broadband_ports' as indicator_code,
        value / 10000 as raw_value
    from province_statistics
    where
        statistic_code = 'broadband_ports'
        -- a statistics table without this province's figure leaves the network delivery's
        -- own figure for the same index year (another source, not an older vintage)
        and value is not null
        -- only for index years the network delivery covers, not the statistics' whole history
        and year + 1 in (select network.year from network)
),

final as (
    select * from delivered_broadband_ports
    union all
    select network_indicators.*
    from network_indicators
    anti join delivered_broadband_ports
        on
            network_indicators.year = delivered_broadband_ports.year
            and network_indicators.unit_code = delivered_broadband_ports.unit_code
            and network_indicators.indicator_code = delivered_broadband_ports.indicator_code
)

select * from final

-- Province-year indicators of System C (先进计算暨算力发展指数 3.0, METHODOLOGY.md §4), whose
-- year is the data (calendar) year:
-- - server compute = Σ over the last six shipment years of units × one server's compute, in
--   EFLOPS (general FP32, AI FP16), only for years whose six shipment years are all delivered;
--   the yearly shipments themselves (万台) are kept for the published national figures;
-- - supercomputer compute = Σ Rmax (FP64, EFLOPS) of the systems listed up to the year;
-- - statistics-bureau tables of the same calendar year (output, software revenue, R&D, IT
--   spending, digital-economy core industries) in the indicators' units;
-- - inter-provincial egress bandwidth at the end of year Y = the network delivery of index
--   year Y + 1 (as of its March cut-off);
-- - computing invention patents filed and granted in the calendar year come from
--   int_indicators__patents;
-- - 开放数林 scores as delivered; application cases selected in the year (0 where none).
with

provinces as (
    select province_code from {{ ref('provinces') }}
),

shipments as (
    select * from {{ ref('stg_server_shipments') }}
),

shipment_years as (
    select distinct year from shipments
),

six_year_compute as (
    select
        shipment_years.year,
        shipments.province_code,
        shipments.server_type,
        sum(shipments.units * shipments.mean_compute_tflops) / 1e6 as eflops,
        count(distinct shipments.year) as years_delivered,
        {{ combined_provenance('shipments.provenance') }} as provenance,
        'server_shipments: ' || min(shipments.delivery_file) || ' … '
        || max(shipments.delivery_file) as source,
        {{ rows_lineage('shipments') }} as lineage
    from shipment_years
    inner join shipments
        on shipments.year between shipment_years.year - 5 and shipment_years.year
    group by shipment_years.year, shipments.province_code, shipments.server_type
),

server_compute as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        source,
        lineage,
        eflops as raw_value,
        case server_type
            when 'general' then 'server_compute' else 'ai_server_compute'
        end as indicator_code
    from six_year_compute
    where years_delivered = 6
),

yearly_shipments as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        'server_shipments: ' || delivery_file as source,
        {{ row_lineage() }} as lineage,
        case server_type
            when 'general' then 'general_server_shipments' else 'ai_server_shipments'
        end as indicator_code,
        units / 1e4 as raw_value
    from shipments
),

supercomputers as (
    select * from {{ ref('stg_supercomputers') }}
),

listed_years as (
    select unnest(range(min(year_listed), max(year_listed) + 1)) as year
    from supercomputers
),

supercomputer_compute as (
    select
        listed_years.year,
        'province' as unit_level,
        provinces.province_code as unit_code,
        {{ combined_provenance('supercomputers.provenance') }} as provenance,
        'supercomputers: ' || coalesce(max(supercomputers.delivery_file), 'no rows') as source,
        {{ rows_lineage('supercomputers') }} as lineage,
        'supercomputer_compute' as indicator_code,
        coalesce(sum(supercomputers.rmax_pflops), 0) / 1000.0 as raw_value
    from listed_years
    cross join provinces
    left join supercomputers
        on
            provinces.province_code = supercomputers.province_code
            and listed_years.year >= supercomputers.year_listed
    group by listed_years.year, provinces.province_code
),

statistics as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        statistic_code as indicator_code,
        'provincial_statistics: ' || delivery_file || ' (' || provenance_source || ')' as source,
        {{ row_lineage() }} as lineage,
        -- 台 → 万台 and 块 → 万块; amounts stay in 亿元
        case when unit in ('台', '块') then value / 1e4 else value end as raw_value
    from {{ ref('int_province_statistics') }}
    where
        statistic_code in (
            'computing_device_output',
            'ic_output',
            'software_revenue',
            'computer_manufacturing_rd',
            'it_spending',
            'digital_economy_core'
        )
),

year_end_bandwidth as (
    select
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        'inter_provincial_bandwidth_year_end' as indicator_code,
        inter_provincial_bandwidth_tbps as raw_value,
        year - 1 as year,
        'network_stats: ' || delivery_file || ' (as of March ' || year || ')' as source,
        {{ row_lineage() }} as lineage
    from {{ ref('stg_network_stats') }}
),

data_openness as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        'data_openness_index' as indicator_code,
        openness_index as raw_value,
        'data_openness: ' || delivery_file as source,
        {{ row_lineage() }} as lineage
    from {{ ref('stg_data_openness') }}
),

cases as (
    select * from {{ ref('stg_application_cases') }}
),

case_years as (
    select distinct year from cases
),

application_cases as (
    select
        case_years.year,
        'province' as unit_level,
        provinces.province_code as unit_code,
        {{ combined_provenance('cases.provenance') }} as provenance,
        'application_cases: ' || coalesce(max(cases.delivery_file), 'no rows') as source,
        {{ rows_lineage('cases') }} as lineage,
        'application_cases' as indicator_code,
        cast(count(cases.case_id) as double) as raw_value
    from case_years
    cross join provinces
    left join cases
        on
            provinces.province_code = cases.province_code
            and case_years.year = cases.year
    group by case_years.year, provinces.province_code
),

final as (
    {{ union_indicator_parts([
        'server_compute', 'yearly_shipments', 'supercomputer_compute', 'statistics',
        'year_end_bandwidth', 'data_openness', 'application_cases',
    ]) }}
)

select * from final

with

delivered as (
    {{ current_delivery_rows('compute_services') }}
),

final as (
    select
        province as province_code,
        province_as_delivered,
        year,
        compute_type as compute_type_as_delivered,
        datacentre_compute_eflops,
        private_compute_eflops,
        service_ratio_pct,
        used_compute_eflops,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row,
        case
            when compute_type in ('通用算力', '通用', 'general') then 'general'
            when compute_type in ('智能算力', '智算', 'intelligent') then 'intelligent'
            when compute_type in ('超算算力', '超算', 'supercomputing') then 'supercomputing'
        end as compute_type
    from delivered
)

select * from final

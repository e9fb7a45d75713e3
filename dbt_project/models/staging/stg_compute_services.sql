with

delivered as (
    {{ current_delivery_rows('compute_services') }}
),

final as (
    select
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_integer('year') }} as year,
        case
            when trim(compute_type) in ('通用算力', '通用', 'general') then 'general'
            when trim(compute_type) in ('智能算力', '智算', 'intelligent') then 'intelligent'
            when trim(compute_type) in ('超算算力', '超算', 'supercomputing') then 'supercomputing'
        end as compute_type,
        trim(compute_type) as compute_type_as_delivered,
        {{ to_double('datacentre_compute_eflops') }} as datacentre_compute_eflops,
        {{ to_double('private_compute_eflops') }} as private_compute_eflops,
        {{ to_double('service_ratio_pct') }} as service_ratio_pct,
        {{ to_double('used_compute_eflops') }} as used_compute_eflops,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

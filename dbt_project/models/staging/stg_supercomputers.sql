with

delivered as (
    {{ current_delivery_rows('supercomputers') }}
),

final as (
    select
        system_id,
        system_name,
        site,
        province as province_code,
        province_as_delivered,
        rmax_pflops,
        year_listed,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
)

select * from final

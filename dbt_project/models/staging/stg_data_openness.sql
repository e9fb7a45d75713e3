with

delivered as (
    {{ current_delivery_rows('data_openness') }}
),

final as (
    select
        province as province_code,
        province_as_delivered,
        year,
        openness_index,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
)

select * from final

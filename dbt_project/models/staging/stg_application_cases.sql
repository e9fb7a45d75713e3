with

delivered as (
    {{ current_delivery_rows('application_cases') }}
),

final as (
    select
        case_id,
        case_name,
        organisation,
        province as province_code,
        province_as_delivered,
        year,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
)

select * from final

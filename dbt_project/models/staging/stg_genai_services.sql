with

delivered as (
    {{ current_delivery_rows('genai_services') }}
),

final as (
    select
        service_id,
        service_name,
        provider,
        province as province_code,
        province_as_delivered,
        registration_date,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
)

select * from final

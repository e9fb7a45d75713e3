with

delivered as (
    {{ current_delivery_rows('genai_services') }}
),

final as (
    select
        trim(service_id) as service_id,
        trim(service_name) as service_name,
        trim(provider) as provider,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_date('registration_date') }} as registration_date,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

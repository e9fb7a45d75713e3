with

delivered as (
    {{ current_delivery_rows('application_cases') }}
),

final as (
    select
        trim(case_id) as case_id,
        trim(case_name) as case_name,
        trim(organisation) as organisation,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_integer('year') }} as year,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

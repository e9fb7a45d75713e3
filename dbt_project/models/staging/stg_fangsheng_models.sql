with

delivered as (
    {{ current_delivery_rows('fangsheng_models') }}
),

final as (
    select
        trim(model_id) as model_id,
        trim(model_name) as model_name,
        trim(developer) as developer,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_date('listed_date') }} as listed_date,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

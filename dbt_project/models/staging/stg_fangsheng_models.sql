with

delivered as (
    {{ current_delivery_rows('fangsheng_models') }}
),

final as (
    select
        model_id,
        model_name,
        developer,
        province as province_code,
        province_as_delivered,
        listed_date,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
)

select * from final

with

delivered as (
    {{ current_delivery_rows('data_openness') }}
),

final as (
    select
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_integer('year') }} as year,
        {{ to_double('openness_index') }} as openness_index,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

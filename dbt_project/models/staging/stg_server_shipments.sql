with

delivered as (
    {{ current_delivery_rows('server_shipments') }}
),

final as (
    select
        {{ to_integer('year') }} as year,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        lower(trim(server_type)) as server_type,
        {{ to_integer('units') }} as units,
        {{ to_double('mean_compute_tflops') }} as mean_compute_tflops,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

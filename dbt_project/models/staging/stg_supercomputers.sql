with

delivered as (
    {{ current_delivery_rows('supercomputers') }}
),

final as (
    select
        trim(system_id) as system_id,
        trim(system_name) as system_name,
        trim(site) as site,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_double('rmax_pflops') }} as rmax_pflops,
        {{ to_integer('year_listed') }} as year_listed,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final

-- Every centre outside the four municipalities names a known prefecture-level city of its own
-- province (any spelling in city_aliases). Returns the file, line and name of each that does not.
with

centres as (
    select * from {{ ref('stg_compute_centres') }}
),

final as (
    select
        delivery_file,
        delivery_row,
        'city' as delivery_column,
        city_as_delivered,
        province_as_delivered,
        province_code
    from centres
    where
        city_code is null
        and province_code not in ('110000', '120000', '310000', '500000')
)

select * from final

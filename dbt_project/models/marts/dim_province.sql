with

provinces as (
    select * from {{ ref('provinces') }}
),

final as (
    select
        cast(province_code as varchar) as province_code,
        name_zh,
        short_name_zh,
        name_en,
        region,
        hub_node
    from provinces
)

select * from final

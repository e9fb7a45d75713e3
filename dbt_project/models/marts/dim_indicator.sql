-- The indicator catalogue as analysts query it: one row per indicator, whichever systems use it.
with

catalogue as (
    select * from {{ ref('indicators') }}
),

final as (
    select
        indicator_code,
        name_zh,
        name_en,
        unit,
        direction,
        additive,
        model as indicator_model,
        max_national_share_pct,
        max_yoy_factor,
        yoy_min_base
    from catalogue
)

select * from final

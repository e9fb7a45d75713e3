with

indicator_scores as (
    select * from {{ ref('int_indicator_scores') }}
),

final as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        indicator_code,
        raw_value,
        unit,
        score,
        provenance,
        source,
        value_flag
    from indicator_scores
)

select * from final

with

weights as (
    select * from {{ ref('int_index_weights') }}
),

final as (
    select
        system_code,
        node_code,
        parent_code,
        node_level,
        position,
        name_zh,
        name_en,
        unit,
        direction,
        local_weight,
        global_weight,
        lambda_max,
        consistency_ratio,
        random_index_table,
        weights_version
    from weights
)

select * from final

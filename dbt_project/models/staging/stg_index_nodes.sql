with

nodes as (
    select * from {{ source('definitions', 'index_nodes') }}
),

final as (
    select
        system_code,
        node_code,
        parent_code,
        node_level,
        cast(depth as integer) as depth,
        cast(position as integer) as position,
        name_zh,
        name_en,
        unit,
        direction,
        cast(local_weight as double) as local_weight,
        cast(n_children as integer) as n_children,
        cast(lambda_max as double) as lambda_max,
        cast(consistency_index as double) as consistency_index,
        cast(random_index as double) as random_index,
        cast(consistency_ratio as double) as consistency_ratio,
        random_index_table,
        cast(weights_version as integer) as weights_version
    from nodes
)

select * from final

-- Local and global AHP weights of every node. A node's global weight is the product of local
-- weights from the composite down to it, i.e. the sum of its indicators' global weights.
with

nodes as (
    select * from {{ ref('stg_index_nodes') }}
),

paths as (
    select * from {{ ref('int_index_paths') }}
),

indicator_global_weights as (
    select
        paths.system_code,
        paths.indicator_code,
        paths.path_weight as global_weight
    from paths
    inner join nodes
        on
            paths.system_code = nodes.system_code
            and paths.node_code = nodes.node_code
    where nodes.parent_code is null
),

node_global_weights as (
    select
        paths.system_code,
        paths.node_code,
        sum(indicator_global_weights.global_weight) as global_weight
    from paths
    inner join indicator_global_weights
        on
            paths.system_code = indicator_global_weights.system_code
            and paths.indicator_code = indicator_global_weights.indicator_code
    group by paths.system_code, paths.node_code
),

final as (
    select
        nodes.system_code,
        nodes.node_code,
        nodes.parent_code,
        nodes.node_level,
        nodes.depth,
        nodes.position,
        nodes.name_zh,
        nodes.name_en,
        nodes.unit,
        nodes.direction,
        nodes.local_weight,
        node_global_weights.global_weight,
        nodes.n_children,
        nodes.lambda_max,
        nodes.consistency_index,
        nodes.random_index,
        nodes.consistency_ratio,
        nodes.random_index_table,
        nodes.weights_version
    from nodes
    inner join node_global_weights
        on
            nodes.system_code = node_global_weights.system_code
            and nodes.node_code = node_global_weights.node_code
)

select * from final

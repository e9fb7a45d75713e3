-- For every node and every tertiary indicator below it (itself included), the product of the
-- local weights on the path between them; the composite's path weights are the indicators'
-- global weights. With no value missing, a node's score is the path-weighted sum of its
-- indicators' scores (int_node_scores aggregates level by level, renormalising among the
-- children that have a score when some are missing).
with recursive

nodes as (
    select * from {{ ref('stg_index_nodes') }}
),

paths as (
    select
        system_code,
        node_code as indicator_code,
        node_code as ancestor_code,
        cast(1.0 as double) as path_weight,
        local_weight as ancestor_local_weight,
        parent_code as next_ancestor_code
    from nodes
    where n_children = 0

    union all

    select
        paths.system_code,
        paths.indicator_code,
        parents.node_code as ancestor_code,
        paths.path_weight * paths.ancestor_local_weight as path_weight,
        parents.local_weight as ancestor_local_weight,
        parents.parent_code as next_ancestor_code
    from paths
    inner join nodes as parents
        on
            paths.system_code = parents.system_code
            and paths.next_ancestor_code = parents.node_code
),

final as (
    select
        system_code,
        ancestor_code as node_code,
        indicator_code,
        path_weight
    from paths
)

select * from final

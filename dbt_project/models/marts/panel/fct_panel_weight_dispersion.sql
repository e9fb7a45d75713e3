-- Where a panel's experts disagree, weight by weight: each child's local weight by each
-- expert's own matrix, summarised by quartiles beside the panel's weight in force.
with

expert_weights as (
    select * from {{ ref('stg_index_panel_weights') }}
),

weights as (
    select * from {{ ref('int_index_weights') }}
),

by_child as (
    select
        system_code,
        weights_version,
        node_code,
        child_code,
        count(*) as n_experts,
        min(local_weight) as min_weight,
        quantile_cont(local_weight, 0.25) as q1_weight,
        quantile_cont(local_weight, 0.5) as median_weight,
        quantile_cont(local_weight, 0.75) as q3_weight,
        max(local_weight) as max_weight
    from expert_weights
    group by system_code, weights_version, node_code, child_code
    having count(*) > 1
),

final as (
    select
        by_child.system_code,
        by_child.weights_version,
        by_child.node_code,
        by_child.child_code,
        weights.name_zh as child_name_zh,
        weights.local_weight as panel_weight,
        by_child.n_experts,
        by_child.min_weight,
        by_child.q1_weight,
        by_child.median_weight,
        by_child.q3_weight,
        by_child.max_weight,
        by_child.q3_weight - by_child.q1_weight as interquartile_range
    from by_child
    inner join weights
        on by_child.system_code = weights.system_code and by_child.child_code = weights.node_code
)

select * from final

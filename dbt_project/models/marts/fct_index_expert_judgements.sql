-- Every judgement matrix behind a node's AHP weights, with its own consistency: the node's
-- single matrix, or each expert's when a panel judged it (the weights then come from the
-- experts' element-wise geometric mean, AIJ, whose CR is aggregate_consistency_ratio).
with

experts as (
    select * from {{ ref('stg_index_node_experts') }}
),

nodes as (
    select * from {{ ref('int_index_weights') }}
),

final as (
    select
        experts.system_code,
        experts.node_code,
        nodes.node_level,
        nodes.name_zh as node_name_zh,
        nodes.name_en as node_name_en,
        experts.aggregation,
        experts.n_experts,
        experts.expert_position,
        experts.expert_name,
        experts.expert_weight,
        experts.n as n_children,
        experts.judgements,
        experts.lambda_max,
        experts.consistency_index,
        experts.random_index,
        experts.consistency_ratio,
        experts.is_consistent,
        experts.aggregate_consistency_ratio,
        experts.random_index_table,
        experts.expert_id,
        experts.delivery_id,
        experts.completed_pairs,
        experts.weights_version
    from experts
    inner join nodes
        on
            experts.system_code = nodes.system_code
            and experts.node_code = nodes.node_code
)

select * from final

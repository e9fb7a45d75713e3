with

experts as (
    select * from {{ source('definitions', 'index_node_experts') }}
),

final as (
    select
        system_code,
        node_code,
        cast(expert_position as integer) as expert_position,
        expert_name,
        cast(expert_weight as double) as expert_weight,
        aggregation,
        cast(n_experts as integer) as n_experts,
        cast(n as integer) as n,
        judgements,
        cast(lambda_max as double) as lambda_max,
        cast(consistency_index as double) as consistency_index,
        cast(random_index as double) as random_index,
        cast(consistency_ratio as double) as consistency_ratio,
        cast(is_consistent as boolean) as is_consistent,
        cast(aggregate_consistency_ratio as double) as aggregate_consistency_ratio,
        random_index_table,
        expert_id,
        delivery_id,
        cast(completed_pairs as integer) as completed_pairs,
        completed,
        local_weights,
        cast(weights_version as integer) as weights_version
    from experts
)

select * from final

with

node_weights as (
    select * from {{ source('definitions', 'index_node_weight_versions') }}
),

final as (
    select
        system_code,
        cast(weights_version as integer) as weights_version,
        node_code,
        cast(local_weight as double) as local_weight,
        cast(consistency_ratio as double) as consistency_ratio
    from node_weights
)

select * from final

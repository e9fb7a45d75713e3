with

panel_weights as (
    select * from {{ source('definitions', 'index_panel_weights') }}
),

final as (
    select
        system_code,
        node_code,
        cast(expert_position as integer) as expert_position,
        expert_id,
        expert_name,
        cast(expert_weight as double) as expert_weight,
        child_code,
        cast(local_weight as double) as local_weight,
        cast(weights_version as integer) as weights_version
    from panel_weights
)

select * from final

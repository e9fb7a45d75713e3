with

judgements as (
    select * from {{ source('definitions', 'index_panel_judgements') }}
),

final as (
    select
        system_code,
        node_code,
        cast(expert_position as integer) as expert_position,
        expert_id,
        expert_name,
        cast(expert_weight as double) as expert_weight,
        row_code,
        column_code,
        cast(judgement as double) as judgement,
        cast(is_completed as boolean) as is_completed,
        cast(weights_version as integer) as weights_version
    from judgements
)

select * from final

with

node_scores as (
    select * from {{ ref('int_node_scores') }}
),

final as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        node_code,
        node_level,
        score,
        rank,
        rank_change,
        no_score_reason
    from node_scores
)

select * from final

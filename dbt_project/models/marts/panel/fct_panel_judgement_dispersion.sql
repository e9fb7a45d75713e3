-- Where a panel's experts disagree, judgement by judgement: the geometric mean (the AIJ
-- matrix's entry) and geometric standard deviation of a_AB over the panel, weights in force.
with

judgements as (
    select * from {{ ref('stg_index_panel_judgements') }}
),

weights as (
    select * from {{ ref('int_index_weights') }}
),

by_pair as (
    select
        system_code,
        weights_version,
        node_code,
        row_code,
        column_code,
        count(*) as n_experts,
        count(*) filter (where not is_completed) as n_answered,
        exp(sum(expert_weight * ln(judgement)) / sum(expert_weight)) as geometric_mean,
        exp(stddev_pop(ln(judgement))) as geometric_sd,
        min(judgement) as min_judgement,
        max(judgement) as max_judgement
    from judgements
    group by system_code, weights_version, node_code, row_code, column_code
    having count(*) > 1
),

final as (
    select
        by_pair.system_code,
        by_pair.weights_version,
        by_pair.node_code,
        node_names.name_zh as node_name_zh,
        by_pair.row_code,
        row_names.name_zh as row_name_zh,
        by_pair.column_code,
        column_names.name_zh as column_name_zh,
        by_pair.n_experts,
        by_pair.n_answered,
        by_pair.geometric_mean,
        by_pair.geometric_sd,
        by_pair.min_judgement,
        by_pair.max_judgement
    from by_pair
    inner join weights as node_names
        on by_pair.system_code = node_names.system_code and by_pair.node_code = node_names.node_code
    inner join weights as row_names
        on by_pair.system_code = row_names.system_code and by_pair.row_code = row_names.node_code
    inner join weights as column_names
        on
            by_pair.system_code = column_names.system_code
            and by_pair.column_code = column_names.node_code
)

select * from final

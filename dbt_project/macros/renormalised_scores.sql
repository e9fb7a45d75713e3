{#- One level of the aggregation (int_node_scores): every parent of the nodes in `child_scores`
    scored Σ(local weight × child score) ÷ Σ local weights over the children that have a
    score, so a child without one is left out among its siblings only; `children_weight` is
    that divisor (a child's renormalised weight is its local weight ÷ it). Terms are summed in
    the children's order (ordered aggregates): re-runs are bit-identical. -#}
{% macro renormalised_scores(child_scores) -%}
    select
        children.system_code,
        child_scores.year,
        child_scores.unit_level,
        child_scores.unit_code,
        children.parent_code as node_code,
        sum(children.local_weight order by children.position)
        filter (where child_scores.score is not null) as children_weight,
        round(
            sum(children.local_weight * child_scores.score order by children.position)
            / sum(children.local_weight order by children.position)
            filter (where child_scores.score is not null),
            9
        ) as score
    from {{ child_scores }} as child_scores
    inner join nodes as children
        on
            child_scores.system_code = children.system_code
            and child_scores.node_code = children.node_code
    group by
        children.system_code,
        child_scores.year,
        child_scores.unit_level,
        child_scores.unit_code,
        children.parent_code
{%- endmacro %}

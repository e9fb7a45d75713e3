-- Statistical coherence of every node's children (the JRC/COINr audit of a composite), per
-- system, year and unit level, across the units: each child's Pearson and Spearman correlation
-- with its parent and with the composite, its lowest and highest correlation with a sibling,
-- and the node's Cronbach's α. Flags: a negative correlation with a sibling, redundancy
-- (r > 0.92 with a sibling) and a weak link to the parent (r < 0.3). A correlation with a
-- constant column is undefined (null, not NaN); figures are rounded to 1e-9 so that runs
-- over the same scores give the same marts.
with

node_scores as (
    select * from {{ ref('int_node_scores') }}
    where score is not null
),

nodes as (
    select * from {{ ref('stg_index_nodes') }}
),

-- scores with their average rank among the units (ties share the mean rank: Spearman)
ranked as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        node_code,
        score,
        rank() over same_node
        + (count(*) over (partition by system_code, year, unit_level, node_code, score) - 1)
        / 2.0 as score_rank
    from node_scores
    window same_node as (partition by system_code, year, unit_level, node_code order by score)
),

children as (
    select
        child.system_code,
        child.year,
        child.unit_level,
        child.unit_code,
        nodes.parent_code as node_code,
        child.node_code as child_code,
        child.score,
        child.score_rank
    from ranked as child
    inner join nodes
        on
            child.system_code = nodes.system_code
            and child.node_code = nodes.node_code
    where nodes.parent_code is not null
),

roots as (
    select
        system_code,
        node_code
    from nodes
    where parent_code is null
),

with_references as (
    select
        children.*,
        parents.score as parent_score,
        parents.score_rank as parent_rank,
        composites.score as composite_score,
        composites.score_rank as composite_rank
    from children
    inner join ranked as parents
        on
            children.system_code = parents.system_code
            and children.year = parents.year
            and children.unit_level = parents.unit_level
            and children.unit_code = parents.unit_code
            and children.node_code = parents.node_code
    inner join roots
        on children.system_code = roots.system_code
    inner join ranked as composites
        on
            children.system_code = composites.system_code
            and children.year = composites.year
            and children.unit_level = composites.unit_level
            and children.unit_code = composites.unit_code
            and roots.node_code = composites.node_code
),

child_correlations as (
    select
        system_code,
        year,
        unit_level,
        node_code,
        child_code,
        count(*) as units,
        -- ordered aggregates: the same terms in the same order, so the same bits every run
        corr(score, parent_score order by unit_code) as pearson_with_parent,
        corr(score_rank, parent_rank order by unit_code) as spearman_with_parent,
        corr(score, composite_score order by unit_code) as pearson_with_composite,
        corr(score_rank, composite_rank order by unit_code) as spearman_with_composite,
        var_samp(score order by unit_code) as score_variance
    from with_references
    group by system_code, year, unit_level, node_code, child_code
),

sibling_pairs as (
    select
        one.system_code,
        one.year,
        one.unit_level,
        one.node_code,
        one.child_code,
        other.child_code as sibling_code,
        corr(one.score, other.score order by one.unit_code) as pearson
    from children as one
    inner join children as other
        on
            one.system_code = other.system_code
            and one.year = other.year
            and one.unit_level = other.unit_level
            and one.unit_code = other.unit_code
            and one.node_code = other.node_code
            and one.child_code != other.child_code
    group by all
),

sibling_ranges as (
    select
        system_code,
        year,
        unit_level,
        node_code,
        child_code,
        min(pearson) as min_sibling_pearson,
        max(pearson) as max_sibling_pearson,
        -- which sibling: the flags' partner, named (ties: the code, so the same every run)
        arg_min(sibling_code, (pearson, sibling_code)) filter (where pearson is not null)
            as min_sibling_code,
        arg_max(sibling_code, (pearson, sibling_code)) filter (where pearson is not null)
            as max_sibling_code
    from sibling_pairs
    group by all
),

-- Cronbach's α = k / (k − 1) × (1 − Σ var(child) / var(Σ children)), over the units
unit_totals as (
    select
        system_code,
        year,
        unit_level,
        node_code,
        unit_code,
        sum(score order by child_code) as children_total
    from children
    group by all
),

child_variances as (
    select
        system_code,
        year,
        unit_level,
        node_code,
        cast(count(*) as double) as k,
        sum(score_variance order by child_code) as variance_sum
    from child_correlations
    group by all
    having count(*) > 1
),

total_variances as (
    select
        system_code,
        year,
        unit_level,
        node_code,
        var_samp(children_total order by unit_code) as total_variance
    from unit_totals
    group by all
),

node_alpha as (
    select
        child_variances.system_code,
        child_variances.year,
        child_variances.unit_level,
        child_variances.node_code,
        child_variances.k / (child_variances.k - 1)
        * (1 - child_variances.variance_sum / nullif(total_variances.total_variance, 0))
            as cronbach_alpha
    from child_variances
    inner join total_variances
        on
            child_variances.system_code = total_variances.system_code
            and child_variances.year = total_variances.year
            and child_variances.unit_level = total_variances.unit_level
            and child_variances.node_code = total_variances.node_code
),

rounded as (
    select
        child_correlations.system_code,
        cast(child_correlations.year as integer) as year,
        child_correlations.unit_level,
        child_correlations.node_code,
        child_correlations.child_code,
        cast(child_correlations.units as integer) as units,
        {{ finite_rounded('child_correlations.pearson_with_parent') }} as pearson_with_parent,
        {{ finite_rounded('child_correlations.spearman_with_parent') }} as spearman_with_parent,
        {{ finite_rounded('child_correlations.pearson_with_composite') }}
            as pearson_with_composite,
        {{ finite_rounded('child_correlations.spearman_with_composite') }}
            as spearman_with_composite,
        sibling_ranges.min_sibling_code,
        {{ finite_rounded('sibling_ranges.min_sibling_pearson') }} as min_sibling_pearson,
        sibling_ranges.max_sibling_code,
        {{ finite_rounded('sibling_ranges.max_sibling_pearson') }} as max_sibling_pearson,
        {{ finite_rounded('node_alpha.cronbach_alpha') }} as cronbach_alpha
    from child_correlations
    left join sibling_ranges
        on
            child_correlations.system_code = sibling_ranges.system_code
            and child_correlations.year = sibling_ranges.year
            and child_correlations.unit_level = sibling_ranges.unit_level
            and child_correlations.node_code = sibling_ranges.node_code
            and child_correlations.child_code = sibling_ranges.child_code
    left join node_alpha
        on
            child_correlations.system_code = node_alpha.system_code
            and child_correlations.year = node_alpha.year
            and child_correlations.unit_level = node_alpha.unit_level
            and child_correlations.node_code = node_alpha.node_code
),

-- flags on the figures as published, so that a reader can check them
final as (
    select
        *,
        coalesce(min_sibling_pearson < 0, false) as negative_with_sibling,
        coalesce(max_sibling_pearson > 0.92, false) as redundant_with_sibling,
        coalesce(pearson_with_parent < 0.3, false) as weak_with_parent
    from rounded
)

select * from final

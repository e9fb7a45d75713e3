-- What makes up every node score: for each system, year, unit and inner node, each child's and
-- each indicator's contribution (its weight within the node × its score), reconciling to the
-- node score. A weight is the part's share of the path weights of the node's indicators that
-- have a score, as int_node_scores aggregates them (a missing indicator leaves the node and its
-- weight is shared among the rest). The gaps to the node's leader (rank 1) and to its median
-- unit (the middle of the ranking) are decomposed the same way: summed over a node's children
-- (or indicators) they give the unit's score gap. Figures are rounded to 1e-9, as node scores
-- are, so that a gap of two equal contributions is 0, not 1e-15.
with

indicator_scores as (
    select * from {{ ref('int_indicator_scores') }}
),

node_scores as (
    select * from {{ ref('int_node_scores') }}
),

paths as (
    select * from {{ ref('int_index_paths') }}
),

nodes as (
    select * from {{ ref('stg_index_nodes') }}
),

-- every indicator below every inner node, with the child of that node it lies under
placed as (
    select
        node_paths.system_code,
        node_paths.node_code,
        children.node_code as child_code,
        node_paths.indicator_code,
        node_paths.path_weight,
        children.n_children = 0 as child_is_indicator
    from paths as node_paths
    inner join nodes as children
        on
            node_paths.system_code = children.system_code
            and node_paths.node_code = children.parent_code
    inner join paths as child_paths
        on
            children.system_code = child_paths.system_code
            and children.node_code = child_paths.node_code
            and node_paths.indicator_code = child_paths.indicator_code
),

-- Sums take their terms in a fixed order (ordered aggregates): a parallel sum's last bits
-- would otherwise differ from run to run, and with them the published marts.
scored_weights as (
    select
        placed.system_code,
        indicator_scores.year,
        indicator_scores.unit_level,
        indicator_scores.unit_code,
        placed.node_code,
        sum(placed.path_weight order by placed.indicator_code)
        filter (where indicator_scores.score is not null) as scored_weight
    from placed
    inner join indicator_scores
        on
            placed.system_code = indicator_scores.system_code
            and placed.indicator_code = indicator_scores.indicator_code
    group by all
),

weighted as (
    select
        placed.system_code,
        indicator_scores.year,
        indicator_scores.unit_level,
        indicator_scores.unit_code,
        placed.node_code,
        placed.child_code,
        placed.child_is_indicator,
        placed.indicator_code,
        indicator_scores.score,
        placed.path_weight / scored_weights.scored_weight as weight
    from placed
    inner join indicator_scores
        on
            placed.system_code = indicator_scores.system_code
            and placed.indicator_code = indicator_scores.indicator_code
    inner join scored_weights
        on
            placed.system_code = scored_weights.system_code
            and placed.node_code = scored_weights.node_code
            and indicator_scores.year = scored_weights.year
            and indicator_scores.unit_level = scored_weights.unit_level
            and indicator_scores.unit_code = scored_weights.unit_code
),

indicator_parts as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        node_code,
        'indicator' as part_kind,
        indicator_code as part_code,
        score as part_score,
        case when score is not null then weight end as weight,
        case when score is not null then weight * score end as contribution
    from weighted
),

child_parts as (
    select
        weighted.system_code,
        weighted.year,
        weighted.unit_level,
        weighted.unit_code,
        weighted.node_code,
        'child' as part_kind,
        weighted.child_code as part_code,
        -- a child's own score: its node score, or an indicator's score
        case
            when any_value(weighted.child_is_indicator) then any_value(weighted.score)
            else any_value(child_scores.score)
        end as part_score,
        sum(weighted.weight order by weighted.indicator_code)
        filter (where weighted.score is not null) as weight,
        sum(weighted.weight * weighted.score order by weighted.indicator_code) as contribution
    from weighted
    left join node_scores as child_scores
        on
            weighted.system_code = child_scores.system_code
            and weighted.year = child_scores.year
            and weighted.unit_level = child_scores.unit_level
            and weighted.unit_code = child_scores.unit_code
            and weighted.child_code = child_scores.node_code
    group by
        weighted.system_code,
        weighted.year,
        weighted.unit_level,
        weighted.unit_code,
        weighted.node_code,
        weighted.child_code
),

parts as (
    select * from child_parts
    union all by name
    select * from indicator_parts
),

-- the leader (rank 1) and the median unit of each node's ranking
ordered as (
    select
        system_code,
        year,
        unit_level,
        node_code,
        unit_code,
        row_number() over (
            partition by system_code, year, unit_level, node_code order by rank, unit_code
        ) as position,
        count(*) over (partition by system_code, year, unit_level, node_code) as units
    from node_scores
    where score is not null
),

reference_units as (
    select
        system_code,
        year,
        unit_level,
        node_code,
        max(case when position = 1 then unit_code end) as leader_code,
        max(case when position = ceil(units / 2.0) then unit_code end) as median_code
    from ordered
    group by system_code, year, unit_level, node_code
),

final as (
    select
        parts.system_code,
        parts.year,
        parts.unit_level,
        parts.unit_code,
        parts.node_code,
        parts.part_kind,
        parts.part_code,
        reference_units.leader_code,
        reference_units.median_code,
        {{ finite_rounded('parts.weight') }} as weight,
        {{ finite_rounded('parts.part_score') }} as part_score,
        {{ finite_rounded('parts.contribution') }} as contribution,
        -- a part the unit (or the reference) has no score for counts 0, so the gaps add up
        {{ finite_rounded(
            'coalesce(parts.contribution, 0) - coalesce(leader_parts.contribution, 0)'
        ) }} as gap_to_leader,
        {{ finite_rounded(
            'coalesce(parts.contribution, 0) - coalesce(median_parts.contribution, 0)'
        ) }} as gap_to_median
    from parts
    left join reference_units
        on
            parts.system_code = reference_units.system_code
            and parts.year = reference_units.year
            and parts.unit_level = reference_units.unit_level
            and parts.node_code = reference_units.node_code
    left join parts as leader_parts
        on
            parts.system_code = leader_parts.system_code
            and parts.year = leader_parts.year
            and parts.unit_level = leader_parts.unit_level
            and parts.node_code = leader_parts.node_code
            and parts.part_kind = leader_parts.part_kind
            and parts.part_code = leader_parts.part_code
            and reference_units.leader_code = leader_parts.unit_code
    left join parts as median_parts
        on
            parts.system_code = median_parts.system_code
            and parts.year = median_parts.year
            and parts.unit_level = median_parts.unit_level
            and parts.node_code = median_parts.node_code
            and parts.part_kind = median_parts.part_kind
            and parts.part_code = median_parts.part_code
            and reference_units.median_code = median_parts.unit_code
)

select * from final

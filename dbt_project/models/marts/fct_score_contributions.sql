-- What makes up every node score: for each system, year, unit and inner node, each child's and
-- each indicator's contribution (its weight within the node × its score), reconciling to the
-- node score. A child's weight is its local weight renormalised among its siblings that have a
-- score (int_node_scores.weight_in_parent: a child without a score is left out among its
-- siblings only); an indicator's weight within a node is the product of those weights on the
-- path from the node down to it. The gaps to the node's leader (rank 1) and to its median
-- unit (the middle of the ranking) are decomposed the same way: summed over a node's children
-- (or indicators) they give the unit's score gap. Figures are rounded to 1e-9, as node scores
-- are, so that a gap of two equal contributions is 0, not 1e-15.
with

node_scores as (
    select * from {{ ref('int_node_scores') }}
),

paths as (
    select * from {{ ref('int_index_paths') }}
),

nodes as (
    select * from {{ ref('stg_index_nodes') }}
),

child_parts as (
    select
        children.system_code,
        child_scores.year,
        child_scores.unit_level,
        child_scores.unit_code,
        children.parent_code as node_code,
        'child' as part_kind,
        children.node_code as part_code,
        child_scores.score as part_score,
        child_scores.weight_in_parent as weight,
        child_scores.weight_in_parent * child_scores.score as contribution
    from node_scores as child_scores
    inner join nodes as children
        on
            child_scores.system_code = children.system_code
            and child_scores.node_code = children.node_code
    where children.parent_code is not null
),

-- every indicator below every inner node, with each node on the path between them (the
-- indicator included, the inner node itself not)
path_members as (
    select
        node_paths.system_code,
        node_paths.node_code,
        node_paths.indicator_code,
        members.node_code as member_code,
        members.depth as member_depth
    from paths as node_paths
    inner join nodes as inner_nodes
        on
            node_paths.system_code = inner_nodes.system_code
            and node_paths.node_code = inner_nodes.node_code
    inner join paths as member_paths
        on
            node_paths.system_code = member_paths.system_code
            and node_paths.indicator_code = member_paths.indicator_code
    inner join nodes as members
        on
            member_paths.system_code = members.system_code
            and member_paths.node_code = members.node_code
    where inner_nodes.n_children > 0 and members.depth > inner_nodes.depth
),

-- Products take their factors in a fixed order (ordered aggregates): a parallel aggregate's
-- last bits would otherwise differ from run to run, and with them the published marts. A path
-- with a member without a score has no weight (product() would skip the null).
indicator_weights as (
    select
        path_members.system_code,
        member_scores.year,
        member_scores.unit_level,
        member_scores.unit_code,
        path_members.node_code,
        path_members.indicator_code,
        max(member_scores.score)
        filter (where path_members.member_code = path_members.indicator_code) as part_score,
        case
            when count(member_scores.weight_in_parent) = count(*)
                then product(member_scores.weight_in_parent order by path_members.member_depth)
        end as weight
    from path_members
    inner join node_scores as member_scores
        on
            path_members.system_code = member_scores.system_code
            and path_members.member_code = member_scores.node_code
    group by
        path_members.system_code,
        member_scores.year,
        member_scores.unit_level,
        member_scores.unit_code,
        path_members.node_code,
        path_members.indicator_code
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
        part_score,
        weight,
        weight * part_score as contribution
    from indicator_weights
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

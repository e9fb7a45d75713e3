{#- sync_all_columns: a warehouse built before a column was added takes it (a full run
    refills every year) instead of stopping the build. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    on_schema_change='sync_all_columns',
    tags=['by_year'],
) }}

-- Scores of every unit on every node (tertiary → secondary → primary → composite), level by
-- level: a node's score is Σ(local weight × score) over its children that have a score,
-- divided by Σ of those children's local weights. A child with no scored indicator below it
-- is left out among its siblings only, so every node score is the weighted sum of its
-- children's scores as published (renormalised among the children that have one), never a
-- rescaling over the whole node. `weight_in_parent` is that renormalised weight.
-- Each level aggregates the rounded scores of the level below (rounded to 1e-9, so
-- floating-point noise cannot push a score past 100); sums take their terms in a fixed order
-- (ordered aggregates) so that re-runs are bit-identical.
-- A unit that delivered (before imputation) a smaller share of the system's indicators in a
-- year than the system's `min_data_share` gets no score on any node, with the reason.
-- Ranks use competition ranking on scores rounded to 6 decimals (ties share the better rank)
-- among the units with a score; rank_change = previous year's rank − this year's rank
-- (positive = moved up). Rebuilding a year also rewrites the following year, whose rank
-- change depends on it.
with

indicator_scores as (
    select * from {{ ref('int_indicator_scores') }}
),

nodes as (
    select * from {{ ref('stg_index_nodes') }}
),

systems as (
    select * from {{ ref('stg_index_systems') }}
),

indicator_counts as (
    select
        system_code,
        count(*) as n_indicators
    from nodes
    where n_children = 0
    group by system_code
),

-- the share of the system's indicators each unit delivered a value for (imputed ones do not
-- count), against the system's threshold
data_shares as (
    select
        indicator_scores.system_code,
        indicator_scores.year,
        indicator_scores.unit_level,
        indicator_scores.unit_code,
        systems.min_data_share,
        indicator_counts.n_indicators,
        count(indicator_scores.raw_value)
        filter (where indicator_scores.provenance != 'imputed') as n_delivered
    from indicator_scores
    inner join systems
        on indicator_scores.system_code = systems.system_code
    inner join indicator_counts
        on indicator_scores.system_code = indicator_counts.system_code
    group by all
),

unscored_units as (
    select
        system_code,
        year,
        unit_level,
        unit_code,
        'below_min_data_share: ' || n_delivered || ' of ' || n_indicators
        || ' indicators have a value (' || round(100.0 * n_delivered / n_indicators, 1)
        || ' %), the system requires ' || round(100 * min_data_share, 1) || ' %' as reason
    from data_shares
    -- a share, not a product: 7 of 10 is exactly 0.7, while 0.7 × 10 is 7.000000000000001
    where cast(n_delivered as double) / n_indicators < min_data_share
),

tertiary_scores as (
    select
        indicator_scores.system_code,
        indicator_scores.year,
        indicator_scores.unit_level,
        indicator_scores.unit_code,
        indicator_scores.indicator_code as node_code,
        cast(null as double) as children_weight,
        case
            when unscored_units.reason is null then round(indicator_scores.score, 9)
        end as score
    from indicator_scores
    left join unscored_units
        on
            indicator_scores.system_code = unscored_units.system_code
            and indicator_scores.year = unscored_units.year
            and indicator_scores.unit_level = unscored_units.unit_level
            and indicator_scores.unit_code = unscored_units.unit_code
),

-- systems.py puts every indicator at the tertiary level (depth 3): three levels above it
secondary_scores as (
    {{ renormalised_scores('tertiary_scores') }}
),

primary_scores as (
    {{ renormalised_scores('secondary_scores') }}
),

composite_scores as (
    {{ renormalised_scores('primary_scores') }}
),

node_scores as (
    select * from tertiary_scores
    union all by name
    select * from secondary_scores
    union all by name
    select * from primary_scores
    union all by name
    select * from composite_scores
),

placed as (
    select
        node_scores.system_code,
        node_scores.year,
        node_scores.unit_level,
        node_scores.unit_code,
        node_scores.node_code,
        nodes.node_level,
        node_scores.score,
        case
            when node_scores.score is not null
                then nodes.local_weight / parent_scores.children_weight
        end as weight_in_parent,
        case
            when unscored_units.reason is not null then unscored_units.reason
            when node_scores.score is null and nodes.n_children = 0
                then 'no_data: this indicator has no value'
            when node_scores.score is null
                then 'no_data: no indicator under this node has a value'
        end as no_score_reason
    from node_scores
    inner join nodes
        on
            node_scores.system_code = nodes.system_code
            and node_scores.node_code = nodes.node_code
    left join node_scores as parent_scores
        on
            nodes.system_code = parent_scores.system_code
            and nodes.parent_code = parent_scores.node_code
            and node_scores.year = parent_scores.year
            and node_scores.unit_level = parent_scores.unit_level
            and node_scores.unit_code = parent_scores.unit_code
    left join unscored_units
        on
            node_scores.system_code = unscored_units.system_code
            and node_scores.year = unscored_units.year
            and node_scores.unit_level = unscored_units.unit_level
            and node_scores.unit_code = unscored_units.unit_code
),

-- units without a score are ranked in a partition of their own, and get no rank
ranked as (
    select
        placed.*,
        case
            when placed.score is not null
                then rank() over (
                    partition by
                        placed.system_code,
                        placed.year,
                        placed.unit_level,
                        placed.node_code,
                        placed.score is null
                    order by round(placed.score, 6) desc
                )
        end as rank
    from placed
),

with_previous as (
    select
        ranked.*,
        previous.rank - ranked.rank as rank_change
    from ranked
    left join ranked as previous
        on
            ranked.system_code = previous.system_code
            and ranked.unit_level = previous.unit_level
            and ranked.unit_code = previous.unit_code
            and ranked.node_code = previous.node_code
            and ranked.year = previous.year + 1
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
        weight_in_parent,
        no_score_reason
    from with_previous
    where
        {{ in_selected_years('year') }}
        or {{ in_selected_years('year - 1') }}
)

select * from final

"""marts.fct_score_contributions: every node score of every system, year and unit is the sum of
its children's contributions, and of its indicators'; the gaps to the node's leader and median
unit decompose the score gaps the same way (on the session's pipeline run)."""

from __future__ import annotations

RECONCILED = """
with sums as (
    select
        system_code, year, unit_level, unit_code, node_code, part_kind,
        sum(contribution) as contributions,
        sum(gap_to_leader) as gaps_to_leader,
        sum(gap_to_median) as gaps_to_median,
        any_value(leader_code) as leader_code,
        any_value(median_code) as median_code
    from marts.fct_score_contributions
    group by all
)
select
    sums.part_kind,
    count(*) as nodes,
    max(abs(sums.contributions - scores.score)) as contribution_error,
    max(abs(sums.gaps_to_leader - (scores.score - leaders.score))) as leader_gap_error,
    max(abs(sums.gaps_to_median - (scores.score - medians.score))) as median_gap_error
from sums
inner join marts.fct_index_scores as scores
    using (system_code, year, unit_level, unit_code, node_code)
inner join marts.fct_index_scores as leaders
    on leaders.system_code = sums.system_code and leaders.year = sums.year
    and leaders.unit_level = sums.unit_level and leaders.node_code = sums.node_code
    and leaders.unit_code = sums.leader_code
inner join marts.fct_index_scores as medians
    on medians.system_code = sums.system_code and medians.year = sums.year
    and medians.unit_level = sums.unit_level and medians.node_code = sums.node_code
    and medians.unit_code = sums.median_code
group by sums.part_kind
order by sums.part_kind
"""


def test_contributions_and_gaps_reconcile_to_every_node_score(warehouse) -> None:
    inner_nodes = warehouse.execute(
        "select count(*) from marts.fct_index_scores as scores inner join marts.fct_index_weights"
        " as nodes using (system_code, node_code) where nodes.node_level != 'tertiary'"
        " and scores.score is not null"
    ).fetchone()[0]
    rows = warehouse.execute(RECONCILED).fetchall()
    assert [row[:2] for row in rows] == [("child", inner_nodes), ("indicator", inner_nodes)]
    for _, _, contribution_error, leader_error, median_error in rows:
        # node scores are rounded to 1e-9 (int_node_scores)
        assert contribution_error < 1e-8 and leader_error < 1e-8 and median_error < 1e-8


def test_the_leader_is_rank_one_and_the_median_the_middle_of_the_ranking(warehouse) -> None:
    leader_rank, median_rank = warehouse.execute(
        "select distinct leaders.rank, medians.rank "
        "from marts.fct_score_contributions as parts "
        "inner join marts.fct_index_scores as leaders on leaders.system_code = parts.system_code"
        " and leaders.year = parts.year and leaders.unit_level = parts.unit_level"
        " and leaders.node_code = parts.node_code and leaders.unit_code = parts.leader_code "
        "inner join marts.fct_index_scores as medians on medians.system_code = parts.system_code"
        " and medians.year = parts.year and medians.unit_level = parts.unit_level"
        " and medians.node_code = parts.node_code and medians.unit_code = parts.median_code "
        "where parts.system_code = 'comprehensive_v4' and parts.year = 2025"
        " and parts.node_code = 'composite'"
    ).fetchone()
    assert (leader_rank, median_rank) == (1, 16)  # 31 provinces

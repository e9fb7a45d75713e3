"""marts.fct_node_coherence on the session's pipeline run, recomputed independently with numpy
from the published scores."""

from __future__ import annotations

import numpy as np
import pytest

SYSTEM, YEAR = "comprehensive_v4", 2025


def scores(warehouse, node: str) -> np.ndarray:
    rows = warehouse.execute(
        "select score from marts.fct_index_scores where system_code = ? and year = ? "
        "and unit_level = 'province' and node_code = ? order by unit_code",
        [SYSTEM, YEAR, node],
    ).fetchall()
    return np.array([row[0] for row in rows])


def test_correlations_and_alpha_match_a_recomputation(warehouse) -> None:
    for node in ("composite", "compute", "environment"):
        rows = warehouse.execute(
            "select child_code, units, pearson_with_parent, pearson_with_composite, "
            "cronbach_alpha from marts.fct_node_coherence where system_code = ? and year = ? "
            "and node_code = ? order by child_code",
            [SYSTEM, YEAR, node],
        ).fetchall()
        parent, composite = scores(warehouse, node), scores(warehouse, "composite")
        children = {code: scores(warehouse, code) for code, *_ in rows}
        matrix = np.array(list(children.values()))
        k = len(children)
        alpha = k / (k - 1) * (1 - matrix.var(axis=1, ddof=1).sum() / matrix.sum(0).var(ddof=1))
        for code, units, with_parent, with_composite, node_alpha in rows:
            assert units == 31
            assert with_parent == pytest.approx(np.corrcoef(children[code], parent)[0, 1])
            assert with_composite == pytest.approx(np.corrcoef(children[code], composite)[0, 1])
            assert node_alpha == pytest.approx(alpha)


def test_flags_follow_the_thresholds(warehouse) -> None:
    wrong = warehouse.execute(
        "select count(*) from marts.fct_node_coherence where "
        "negative_with_sibling != coalesce(min_sibling_pearson < 0, false) "
        "or redundant_with_sibling != coalesce(max_sibling_pearson > 0.92, false) "
        "or weak_with_parent != coalesce(pearson_with_parent < 0.3, false)"
    ).fetchone()[0]
    assert wrong == 0
    # the demonstration data's 模力 subtrees move together (the audit should say so)
    redundant = warehouse.execute(
        "select count(*) from marts.fct_node_coherence where system_code = ? and year = ? "
        "and redundant_with_sibling and node_code = 'model'",
        [SYSTEM, YEAR],
    ).fetchone()[0]
    assert redundant == 2  # model_resources and model_ecosystem


def test_the_coherence_check_warns_of_the_negative_environment_pair(
    warehouse, latest_check_evaluation
) -> None:
    evaluation = latest_check_evaluation(["marts", "fct_node_coherence"], "node_coherence")
    assert not evaluation.passed and evaluation.severity.value == "WARN"
    description = evaluation.description or ""
    assert "index definition" in description
    # 环境's two children, correlated across the provinces from the published scores
    market, resources = (scores(warehouse, f"environment_{c}") for c in ("market", "resources"))
    r = np.corrcoef(market, resources)[0, 1]
    assert r < 0
    figure = f"{r:.2f}".replace("-", "−")
    assert (
        f"{SYSTEM} {YEAR} province environment: environment_market ↔ environment_resources "
        f"r = {figure} (negative with a sibling)"
    ) in description.splitlines()
    assert f"{SYSTEM} {YEAR} province model: model_ecosystem ↔ model_resources r = " in description

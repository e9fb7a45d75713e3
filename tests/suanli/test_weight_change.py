"""Index definitions are data: change one judgement in one secondary node's matrix, run the
pipeline again, and only the scores that depend on that node move.

The run is `python -m suanli.cli materialize --years 2025` on a copy of the session's first run
(`copied_warehouse`), with `SUANLI_INDEX_SYSTEMS` pointing at an edited copy of
seeds/index_systems/. The node is System A's 算间网络 (network_inter), whose subtree System A′
(comprehensive_v3) includes through `comprehensive_v4#network` and the city index does not.
Only 2025 is rebuilt, so only 2025 is compared.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from suanli.index.ahp import ahp_weights
from suanli.settings import INDEX_SYSTEMS_DIR

pytestmark = pytest.mark.integration

NODE = "network_inter"
ANCESTORS = ("network", "composite")
# direct-connect points vs OXC deployment: "moderately more important" 2 → 3
CHANGED_CELL, NEW_JUDGEMENT = (0, 2), 3
INCLUDERS = ("comprehensive_v4", "comprehensive_v3")  # systems holding the edited subtree
UNAFFECTED = ("city_compute",)
Key = tuple[Any, ...]


def find(node: dict[str, Any] | str, code: str) -> dict[str, Any] | None:
    if isinstance(node, str):  # an indicator, named by its catalogue code
        return None
    if node.get("code") == code:
        return node
    for child in node.get("children") or []:
        if found := find(child, code):
            return found
    return None


def edit_one_judgement(directory: Path) -> tuple[list[str], list[list[Any]]]:
    """Change one judgement (and its reciprocal) of NODE in comprehensive_v4.yml."""
    path = directory / "comprehensive_v4.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = find(raw["root"], NODE)
    assert node is not None
    i, j = CHANGED_CELL
    assert node["pairwise"][i][j] != NEW_JUDGEMENT
    node["pairwise"][i][j], node["pairwise"][j][i] = NEW_JUDGEMENT, f"1/{NEW_JUDGEMENT}"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    codes = [child if isinstance(child, str) else child["code"] for child in node["children"]]
    return codes, node["pairwise"]


def published(environment: dict[str, str]) -> Path:
    work = Path(environment["SUANLI_WAREHOUSE"])
    return work.with_name(f"{work.stem}_marts{work.suffix}")


def read_marts(path: Path) -> tuple[dict[Key, tuple], dict[Key, tuple]]:
    """2025 scores by (system, unit, node) and weights by (system, node), as published."""
    with duckdb.connect(str(path), read_only=True) as connection:
        scores = connection.execute(
            "select system_code, unit_code, node_code, score, rank, rank_change"
            " from marts.fct_index_scores where year = 2025"
        ).fetchall()
        weights = connection.execute(
            "select system_code, node_code, local_weight, global_weight, lambda_max,"
            " consistency_ratio from marts.fct_index_weights"
        ).fetchall()
    return {row[:3]: row[3:] for row in scores}, {row[:2]: row[2:] for row in weights}


def test_changing_one_judgement_moves_only_the_scores_that_depend_on_it(
    copied_warehouse: dict[str, str], cli, tmp_path: Path
) -> None:
    definitions = tmp_path / "index_systems"
    shutil.copytree(INDEX_SYSTEMS_DIR, definitions)
    children, matrix = edit_one_judgement(definitions)
    assert ahp_weights(matrix).is_consistent  # the edit itself must be an acceptable matrix
    scores_before, weights_before = read_marts(published(copied_warehouse))

    result = cli(
        {**copied_warehouse, "SUANLI_INDEX_SYSTEMS": str(definitions)},
        "materialize", "--years", "2025",
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    scores_after, weights_after = read_marts(published(copied_warehouse))
    assert scores_after.keys() == scores_before.keys()
    assert weights_after.keys() == weights_before.keys()

    # 1. The node's children get new local and global weights in every system that has them,
    #    the node itself a new λmax; nothing else in any system's weights changes. (A node's
    #    global weight is the sum of its indicators', so the node and its ancestors keep theirs
    #    up to the last bits of that sum.)
    new_children = {(system, child) for system in INCLUDERS for child in children}
    moved_local = {key for key in weights_before if weights_after[key][0] != weights_before[key][0]}
    moved_global = {
        key
        for key in weights_before
        if weights_after[key][1] != pytest.approx(weights_before[key][1], rel=1e-12, abs=1e-15)
    }
    assert moved_local == moved_global == new_children
    expected = ahp_weights(matrix).weights
    for system in INCLUDERS:
        new = [weights_after[(system, child)][0] for child in children]
        assert new == pytest.approx(expected, rel=1e-12), system
    moved_matrices = {
        key for key in weights_before if weights_after[key][2:] != weights_before[key][2:]
    }
    assert moved_matrices == {(system, NODE) for system in INCLUDERS}

    # 2. Scores off the chain from the node up to the composite are byte-identical (score,
    #    rank and rank change), in every system.
    chain = {NODE, *ANCESTORS}
    off_chain = [key for key in scores_before if not (key[0] in INCLUDERS and key[2] in chain)]
    assert len(off_chain) > len(scores_before) / 2
    changed_off_chain = [key for key in off_chain if scores_after[key] != scores_before[key]]
    assert changed_off_chain == [], changed_off_chain[:5]

    # 3. The node and each ancestor up to the composite move for at least some provinces, in
    #    both systems that include the subtree.
    for system in INCLUDERS:
        for node in chain:
            keys = [key for key in scores_before if key[0] == system and key[2] == node]
            moved = [key for key in keys if scores_after[key][0] != scores_before[key][0]]
            assert len(keys) == 31 and moved, (system, node)

    # 4. A system that does not include the subtree does not move at all.
    for system in UNAFFECTED:
        keys = [key for key in scores_before if key[0] == system]
        assert keys and all(scores_after[key] == scores_before[key] for key in keys), system

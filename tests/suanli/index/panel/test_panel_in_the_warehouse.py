"""A panel of three experts who disagree judges System A's composite through questionnaires:
the workbooks land as deliveries, make weights version 1, and every year is re-scored with it.

One pipeline run on a copy of the session's first run, with a landing folder that is the
snapshot plus the three filled workbooks (E03 leaves two pairs blank). Everything is compared
with what the AHP of the experts' matrices gives and with what the first run published.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from suanli.index.ahp import aggregate_judgements, ahp_weights
from suanli.index.panel.completion import complete
from suanli.index.panel.responses import fill_questionnaire
from suanli.index.panel.workbook import write_questionnaires
from suanli.index.systems import load_systems
from suanli.settings import SNAPSHOT_DIR, index_systems_dir

pytestmark = pytest.mark.integration

SYSTEM, NODE = "comprehensive_v4", "composite"
CHILDREN = ("compute", "storage", "network", "model", "environment")
# Upper triangles in CHILDREN order; None = left blank. E01 puts compute first, E02 the
# network, E03 the environment (and leaves two pairs to the completion).
PANEL = {
    "E01": ("专家甲", [3, 3, 5, 5, 1, 2, 2, 2, 2, 1]),
    "E02": ("专家乙", [1, "1/3", 2, 2, "1/3", 1, 1, 5, 5, 1]),
    "E03": ("专家丙", [2, None, 1, "1/2", 1, None, "1/3", 1, "1/3", "1/2"]),
}
PAIRS = [(i, j) for i in range(5) for j in range(i + 1, 5)]


def as_number(value: object) -> float:
    text = str(value)
    return 1 / float(text[2:]) if text.startswith("1/") else float(text)


def matrix_of(answers: list) -> np.ndarray:
    given = {pair: as_number(a) for pair, a in zip(PAIRS, answers, strict=True) if a is not None}
    return complete(5, given).matrix


@pytest.fixture(scope="module")
def panel_run(copy_of_first_run, cli, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("panel_run")
    environment = copy_of_first_run(root)
    landing = root / "landing"
    shutil.copytree(SNAPSHOT_DIR, landing)
    system = {s.system_code: s for s in load_systems(index_systems_dir())}[SYSTEM]
    blank = write_questionnaires(system, root / "blank", len(PANEL))
    for path, (expert_id, (name, answers)) in zip(blank, PANEL.items(), strict=True):
        assert expert_id in path.name
        given = {
            (CHILDREN[i], CHILDREN[j]): answer
            for (i, j), answer in zip(PAIRS, answers, strict=True)
        }
        fill_questionnaire(path, landing / "expert_judgements" / path.name, {NODE: given}, name)
    environment = {**environment, "SUANLI_LANDING": str(landing)}
    result = cli(environment, "materialize")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    work = Path(environment["SUANLI_WAREHOUSE"])
    return environment, work.with_name(f"{work.stem}_marts{work.suffix}")


@pytest.fixture(scope="module")
def marts(panel_run) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(panel_run[1]), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def first_marts(first_run, first_run_root: Path) -> duckdb.DuckDBPyConnection:
    """What the session's first run (weights version 0 everywhere) published."""
    path = first_run_root / "build" / "warehouse" / "suanli_marts.duckdb"
    with duckdb.connect(str(path), read_only=True) as connection:
        yield connection


def composite_scores(connection: duckdb.DuckDBPyConnection) -> dict[tuple, tuple]:
    """(year, unit) → (score, rank) of System A's composite, as published."""
    rows = connection.execute(
        "select year, unit_code, score, rank from marts.fct_index_scores "
        "where system_code = ? and node_code = ?",
        [SYSTEM, NODE],
    ).fetchall()
    return {(row[0], row[1]): row[2:] for row in rows}


def test_the_panel_makes_version_1_of_system_a_and_only_of_system_a(marts):
    rows = marts.execute(
        "select system_code, weights_version, is_current, n_experts, questionnaires "
        "from marts.dim_weight_version order by system_code, weights_version"
    ).fetchall()
    current = {row[0]: row[1] for row in rows if row[2]}
    assert current[SYSTEM] == 1
    assert all(version == 0 for code, version in current.items() if code != SYSTEM)
    [(_, _, _, n_experts, listed)] = [row for row in rows if row[0] == SYSTEM and row[1] == 1]
    assert n_experts == 3
    assert [entry["expert_id"] for entry in json.loads(listed)] == list(PANEL)


def test_the_composite_weights_are_the_ahp_of_the_experts_geometric_mean(marts):
    matrices = [matrix_of(answers).tolist() for _, answers in PANEL.values()]
    expected = ahp_weights(aggregate_judgements(matrices)).weights
    found = dict(
        marts.execute(
            "select node_code, local_weight from marts.fct_index_weights "
            "where system_code = ? and parent_code = ? and weights_version = 1",
            [SYSTEM, NODE],
        ).fetchall()
    )
    assert [found[code] for code in CHILDREN] == pytest.approx(expected, abs=1e-9)


def test_each_expert_matrix_is_on_record_with_its_workbook_and_completion(marts):
    rows = marts.execute(
        "select expert_id, expert_name, completed_pairs, delivery_id, consistency_ratio "
        "from marts.fct_index_expert_judgements where system_code = ? and node_code = ? "
        "order by expert_position",
        [SYSTEM, NODE],
    ).fetchall()
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("E01", "专家甲", 0), ("E02", "专家乙", 0), ("E03", "专家丙", 2),
    ]  # fmt: skip
    files = dict(
        marts.execute(
            "select delivery_id, file_name from marts.dim_delivery "
            "where source = 'expert_judgements'"
        ).fetchall()
    )
    assert [files[row[3]] for row in rows] == [f"{SYSTEM}__{e}.xlsx" for e in PANEL]
    assert all(row[4] < 0.10 for row in rows)


def test_the_dispersion_marts_say_where_the_experts_disagree(marts):
    [(sd, answered)] = marts.execute(
        "select geometric_sd, n_answered from marts.fct_panel_judgement_dispersion "
        "where system_code = ? and node_code = ? and row_code = 'compute' "
        "and column_code = 'storage'",
        [SYSTEM, NODE],
    ).fetchall()
    assert sd == pytest.approx(math.exp(np.std(np.log([3, 1, 2]))))
    assert answered == 3
    [(blank_answered,)] = marts.execute(
        "select n_answered from marts.fct_panel_judgement_dispersion "
        "where system_code = ? and row_code = 'compute' and column_code = 'network'",
        [SYSTEM],
    ).fetchall()
    assert blank_answered == 2  # E03 left it blank
    weights = [ahp_weights(matrix_of(answers).tolist()).weights[0] for _, answers in PANEL.values()]
    [(iqr,)] = marts.execute(
        "select interquartile_range from marts.fct_panel_weight_dispersion "
        "where system_code = ? and node_code = ? and child_code = 'compute'",
        [SYSTEM, NODE],
    ).fetchall()
    assert iqr == pytest.approx(np.subtract(*np.percentile(weights, [75, 25])))


def test_every_year_is_rescored_and_the_rank_shifts_compare_with_version_0(marts, first_marts):
    shifts = marts.execute(
        "select year, unit_code, score_previous, score_current, rank_previous, rank_current, "
        "rank_shift, previous_version, current_version from marts.fct_weight_version_rank_shifts "
        "where system_code = ? and node_code = ?",
        [SYSTEM, NODE],
    ).fetchall()
    assert {row[0] for row in shifts} == {2022, 2023, 2024, 2025}
    assert {(row[7], row[8]) for row in shifts} == {(0, 1)}
    published, before = composite_scores(marts), composite_scores(first_marts)
    for year, unit, previous, current, rank_before, rank_now, shift, *_ in shifts:
        assert current == pytest.approx(published[(year, unit)][0], abs=1e-6)
        assert rank_now == published[(year, unit)][1]
        assert previous == pytest.approx(before[(year, unit)][0], abs=1e-6)
        assert rank_before == before[(year, unit)][1]
        assert shift == rank_before - rank_now
    moved = [key for key in published if published[key][0] != pytest.approx(before[key][0])]
    assert {year for year, _ in moved} == {2022, 2023, 2024, 2025}

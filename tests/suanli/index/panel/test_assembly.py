"""From accepted workbooks to a system's panel (suanli.index.panel.assembly): the latest
workbook of each expert, blanks completed, nodes nobody answered left to the definition."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from suanli.index.panel.assembly import (
    Questionnaire,
    current_answers,
    panels,
    stale_nodes,
    with_panel,
)
from suanli.index.panel.responses import fill_questionnaire
from suanli.index.panel.workbook import write_questionnaire
from suanli.index.systems import IndexSystem, load_systems
from suanli.intake.delivery import Delivery, store
from suanli.intake.readers import reader_for
from suanli.settings import index_systems_dir

SYSTEM = "comprehensive_v4"
COMPUTE = {("compute_scale", "compute_quality"): "3"}
COMPUTE_CORRECTED = {("compute_scale", "compute_quality"): "1/2"}


@pytest.fixture(scope="module")
def system() -> IndexSystem:
    return {s.system_code: s for s in load_systems(index_systems_dir())}[SYSTEM]


def deliver(connection, spec, system, tmp_path: Path, expert: str, name: str, answers) -> None:
    blank = write_questionnaire(system, tmp_path / f"blank_{expert}.xlsx", expert)
    path = fill_questionnaire(blank, tmp_path / name, {"compute": answers}, f"专家{expert}")
    delivery = Delivery(spec.name, path.name, path.name, path.read_bytes())
    assert store(connection, spec, delivery, tmp_path / "archive", reader_for(spec)).is_new


def test_a_later_workbook_of_the_same_expert_supersedes_the_earlier(spec, system, tmp_path):
    with duckdb.connect() as connection:
        deliver(connection, spec, system, tmp_path, "E01", f"{SYSTEM}__E01.xlsx", COMPUTE)
        deliver(connection, spec, system, tmp_path, "E02", f"{SYSTEM}__E02.xlsx", COMPUTE)
        corrected = f"{SYSTEM}__E01_修订.xlsx"
        deliver(connection, spec, system, tmp_path, "E01", corrected, COMPUTE_CORRECTED)
        [panel] = panels(current_answers(connection)).values()
    assert [(q.expert_id, q.file_name) for q in panel] == [
        ("E01", corrected), ("E02", f"{SYSTEM}__E02.xlsx"),
    ]  # fmt: skip
    judged = with_panel(system, panel)
    compute = next(node for node, *_ in judged.nodes() if node.code == "compute")
    assert [e.pairwise[0][1] for e in compute.experts] == [pytest.approx(0.5), 3.0]
    # Nodes the panel left blank keep the definition's single matrix.
    composite = judged.root
    assert composite.experts == system.root.experts and composite.aggregation == "single"


def test_answers_given_under_an_older_definition_are_left_out_and_named(system):
    answers = pd.DataFrame(
        {
            "node_code": ["compute", "compute"],
            "row_code": ["compute_scale", "compute_scale"],
            "column_code": ["compute_quality", "compute_retired"],  # a child since removed
            "judgement": [3.0, 2.0],
        }
    )
    old = Questionnaire("d" * 64, "old.xlsx", "2026-01-01", SYSTEM, "E09", "专家", 1.0, answers)
    assert stale_nodes(system, [old]) == ["E09 compute (old.xlsx)"]
    judged = with_panel(system, [old])
    compute = next(node for node, *_ in judged.nodes() if node.code == "compute")
    original = next(node for node, *_ in system.nodes() if node.code == "compute")
    assert compute.experts == original.experts

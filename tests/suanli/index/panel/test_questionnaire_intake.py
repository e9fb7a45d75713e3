"""Filled questionnaires as deliveries of the source `expert_judgements`: what intake accepts,
and what it quarantines with a message an expert can act on (file, sheet row, the judgement,
the value that would make the node consistent)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest

from suanli.index.ahp import ahp_weights
from suanli.index.panel.completion import complete
from suanli.index.panel.responses import fill_questionnaire
from suanli.index.panel.scale import parse_answer
from suanli.index.panel.workbook import write_questionnaire
from suanli.index.systems import IndexSystem, load_systems
from suanli.intake.delivery import Delivery, store
from suanli.intake.readers import reader_for
from suanli.settings import index_systems_dir

SYSTEM, NODE = "comprehensive_v4", "compute_quality"
CHILDREN = ("rack_utilisation", "pue", "cue", "compute_revenue")
# Consistent: weights 4 : 2 : 1 : 2 — then one judgement broken (pue vs cue 1/9 for 2).
CONSISTENT = {
    ("rack_utilisation", "pue"): "2", ("rack_utilisation", "cue"): "4",
    ("rack_utilisation", "compute_revenue"): "2", ("pue", "cue"): "2",
    ("pue", "compute_revenue"): "1", ("cue", "compute_revenue"): "1/2",
}  # fmt: skip
BROKEN = {**CONSISTENT, ("pue", "cue"): "1/9"}
SUGGESTION = re.compile(r"you wrote 1/9; (\S+) gives CR (\d\.\d\d)")


@pytest.fixture(scope="module")
def system() -> IndexSystem:
    return {s.system_code: s for s in load_systems(index_systems_dir())}[SYSTEM]


def filled(system: IndexSystem, tmp_path: Path, answers, name: str = "专家甲") -> Path:
    blank = write_questionnaire(system, tmp_path / "blank.xlsx", "E01")
    return fill_questionnaire(
        blank, tmp_path / f"{SYSTEM}__E01.xlsx", {NODE: answers}, expert_name=name
    )


def deliver(spec, path: Path, archive: Path):
    with duckdb.connect() as connection:
        result = store(
            connection, spec,
            Delivery(spec.name, path.name, path.name, path.read_bytes()),
            archive, reader_for(spec),
        )  # fmt: skip
        rows = connection.execute(
            "select node_code, row_code, column_code, judgement, sheet_row "
            "from raw.expert_judgements order by _row_number"
        ).fetchall()
        quarantined = connection.execute("select problems from raw.quarantine").fetchall()
    return result, rows, quarantined


def test_a_consistent_workbook_becomes_current_with_every_pair(spec, system, tmp_path):
    result, rows, quarantined = deliver(spec, filled(system, tmp_path, CONSISTENT), tmp_path)
    assert result.status == "loaded" and not quarantined
    answered = {(r[1], r[2]): r[3] for r in rows if r[0] == NODE}
    assert answered == {pair: parse_answer(text) for pair, text in CONSISTENT.items()}
    inner = [node for node, *_ in system.nodes() if not node.is_leaf]
    pairs = sum(len(n.children) * (len(n.children) - 1) // 2 for n in inner)
    assert len(rows) == pairs  # the blank pairs of the other nodes are kept, as blanks


def test_an_inconsistent_workbook_is_quarantined_naming_the_judgement_and_a_value(
    spec, system, tmp_path
):
    path = filled(system, tmp_path, BROKEN)
    result, rows, [(problems,)] = deliver(spec, path, tmp_path)
    assert result.status == "quarantined" and not rows
    [line] = [p for p in json.loads(problems) if "inconsistent judgements" in p]
    assert line.startswith(f"{path.name}: row ")
    assert '"1/9"' in line and "compute_quality" in line and "PUE" in line.upper()
    suggested, cr = SUGGESTION.search(line).groups()
    # The suggested value, put in the judgement's place, indeed makes the node acceptable.
    fixed = {**BROKEN, ("pue", "cue"): suggested}
    given = {(CHILDREN.index(a), CHILDREN.index(b)): parse_answer(v) for (a, b), v in fixed.items()}
    recomputed = ahp_weights(complete(4, given).matrix.tolist())
    assert recomputed.consistency_ratio < 0.10
    assert f"{recomputed.consistency_ratio:.2f}" == cr
    assert Path(result.archived_path).read_bytes() == path.read_bytes()


def test_the_check_command_gives_the_same_feedback_before_sending(cli, env, system, tmp_path):
    path = filled(system, tmp_path, BROKEN)
    result = cli(env, "check", "expert_judgements", str(path))
    assert result.returncode == 1, result.stderr
    assert "would be quarantined" in result.stdout
    assert SUGGESTION.search(result.stdout)
    good = filled(system, tmp_path / "good", CONSISTENT)
    assert cli(env, "check", "expert_judgements", str(good)).returncode == 0


def test_unconnected_answers_name_the_groups_never_compared(spec, system, tmp_path):
    answers = {("rack_utilisation", "pue"): "2", ("cue", "compute_revenue"): "1/2"}
    result, _, [(problems,)] = deliver(spec, filled(system, tmp_path, answers), tmp_path)
    assert result.status == "quarantined"
    [line] = [p for p in json.loads(problems) if "unconnected comparisons" in p]
    assert "| {" in line  # two groups named, by their children's names


def test_a_pair_answered_twice_and_an_unnamed_expert_are_refused(spec, system, tmp_path):
    path = filled(system, tmp_path, CONSISTENT, name=None)
    workbook = openpyxl.load_workbook(path)
    sheet = next(ws for ws in workbook.worksheets if ws["B1"].value == NODE)
    # The last pair row now asks the first pair again, reversed.
    last = sheet.max_row
    sheet.cell(last, 2).value, sheet.cell(last, 7).value = "pue", "rack_utilisation"
    sheet.cell(last, 12).value = "1/2"
    workbook.save(path)
    result, _, [(problems,)] = deliver(spec, path, tmp_path)
    text = "\n".join(json.loads(problems))
    assert result.status == "quarantined"
    assert "duplicate key" in text and "already on row" in text
    assert "missing value" in text


def test_the_feedback_speaks_of_a_reversed_row_as_the_row_lists_it(spec, system, tmp_path):
    """A row that lists CUE before PUE and says 9 means PUE vs CUE 1/9: the feedback quotes
    the row as written, and the value it offers is in the row's own direction."""
    path = filled(system, tmp_path, {**CONSISTENT, ("pue", "cue"): None})
    workbook = openpyxl.load_workbook(path)
    sheet = next(ws for ws in workbook.worksheets if ws["B1"].value == NODE)
    [row] = [r for r in range(6, sheet.max_row + 1) if sheet.cell(r, 2).value == "pue" and
             sheet.cell(r, 7).value == "cue"]  # fmt: skip
    sheet.cell(row, 2).value, sheet.cell(row, 7).value = "cue", "pue"
    sheet.cell(row, 12).value = "9"
    workbook.save(path)
    _, _, [(problems,)] = deliver(spec, path, tmp_path)
    [line] = [p for p in json.loads(problems) if "inconsistent judgements" in p]
    assert f"row {row}," in line and '"9"' in line
    assert "CUE vs PUE: you wrote 9; 2 gives CR 0.09" in line

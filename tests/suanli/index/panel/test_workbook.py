"""Expert questionnaires (suanli.index.panel.workbook and .responses) for the real system
comprehensive_v4: what an expert sees when opening the workbook, and what comes back."""

from __future__ import annotations

import re
from datetime import datetime
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from suanli.index.catalogue import load_catalogue
from suanli.index.panel.responses import fill_questionnaire, read_questionnaire
from suanli.index.panel.scale import EXPECTED, INTERMEDIATE, MEANINGS, SCALE_TEXTS
from suanli.index.panel.workbook import (
    sheet_name,
    write_questionnaire,
    write_questionnaires,
)
from suanli.index.systems import IndexSystem, Node, load_systems
from suanli.settings import index_systems_dir

SYSTEM = "comprehensive_v4"
INSTRUCTIONS = "说明 Instructions"
HEADERS = (
    "序号 No.", "A 代码 code", "A 名称", "A name", "A 单位 unit", "A 定义 definition",
    "B 代码 code", "B 名称", "B name", "B 单位 unit", "B 定义 definition", "答案 Answer",
    "备注 Comment",
)  # fmt: skip
HEADER_ROW, ANSWER_COLUMN = 5, "L"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
EXPERT_NAMES = ("system_code", "expert_id", "expert_name", "expert_organisation", "expert_weight")


def pre_order(node: Node) -> list[Node]:
    """The inner nodes, each before its children, siblings in the definition's order."""
    if node.is_leaf:
        return []
    return [node, *(inner for child in node.children for inner in pre_order(child))]


@pytest.fixture(scope="module")
def system() -> IndexSystem:
    return {s.system_code: s for s in load_systems(index_systems_dir())}[SYSTEM]


@pytest.fixture(scope="module")
def questionnaire(system: IndexSystem, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_questionnaire(system, tmp_path_factory.mktemp("q") / "q.xlsx", "E07")


@pytest.fixture(scope="module")
def workbook(questionnaire: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(questionnaire)


def node_sheets(workbook: openpyxl.Workbook) -> list[Worksheet]:
    return [workbook[name] for name in workbook.sheetnames[1:] if name != "_form"]


def pair_rows(sheet: Worksheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if row[1]]


def texts(sheet: Worksheet) -> str:
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)


def cell_of(workbook: openpyxl.Workbook, name: str):
    [(title, coordinate)] = workbook.defined_names[name].destinations
    return workbook[title][coordinate.replace("$", "")]


# ------------------------------------------------------------------ what the expert sees


def test_the_instructions_come_first_in_both_languages(workbook, system) -> None:
    assert workbook.sheetnames[0] == INSTRUCTIONS
    assert workbook.active.title == INSTRUCTIONS
    text = texts(workbook[INSTRUCTIONS])
    assert system.name_zh in text and system.name_en in text
    for zh, en in [*MEANINGS.values(), INTERMEDIATE]:
        assert zh in text and en in text
    for phrase in ("Bozóki", "CR < 0.10", "python -m suanli.cli check expert_judgements",
                   "how much more important A is than B", "A 比 B 重要多少", "1/k"):  # fmt: skip
        assert phrase in text
    # The worked example: three answers and the weights they give, which add up to 100 %.
    weights = [float(v) for v in re.findall(r"^(\d+\.\d)%$", text, flags=re.MULTILINE)]
    assert len(weights) == 3 and sum(weights) == pytest.approx(100, abs=0.2)
    assert weights == sorted(weights, reverse=True)


def test_the_expert_block_is_named_and_prefilled(workbook) -> None:
    assert set(EXPERT_NAMES) <= set(workbook.defined_names)
    values = {name: cell_of(workbook, name).value for name in EXPERT_NAMES}
    assert values == {
        "system_code": SYSTEM,
        "expert_id": "E07",
        "expert_name": None,
        "expert_organisation": None,
        "expert_weight": 1,
    }
    for name in EXPERT_NAMES:
        assert cell_of(workbook, name).parent.title == INSTRUCTIONS
    label = {name: cell_of(workbook, name).offset(column=-2).value for name in EXPERT_NAMES}
    assert (label["expert_name"], label["expert_organisation"], label["expert_weight"]) == (
        "姓名", "单位", "权重",
    )  # fmt: skip


def test_one_sheet_per_inner_node_in_hierarchy_order(workbook, system) -> None:
    inner = pre_order(system.root)
    assert len(inner) == 17 and inner[:4] == [
        system.root,
        system.root.children[0],
        *system.root.children[0].children,
    ]
    sheets = node_sheets(workbook)
    assert [s.title for s in sheets] == [f"{k:02d} {n.name_zh}" for k, n in enumerate(inner, 1)]
    assert [s["B1"].value for s in sheets] == [node.code for node in inner]
    for sheet, node in zip(sheets, inner, strict=True):
        assert sheet.defined_names["node_code"].attr_text == f"'{sheet.title}'!$B$1"
        assert node.name_zh in texts(sheet) and node.name_en in texts(sheet)
    assert workbook.sheetnames[-1] == "_form"


def test_each_unordered_pair_once_with_names_units_and_definitions(workbook, system) -> None:
    catalogue = load_catalogue()
    for sheet, node in zip(node_sheets(workbook), pre_order(system.root), strict=True):
        [header] = sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True)
        header = [str(v).split("\n")[0] for v in header]
        assert header == list(HEADERS)
        rows = pair_rows(sheet)
        pairs = [(row[1], row[6]) for row in rows]
        children = {child.code: child for child in node.children}
        assert pairs == [(a.code, b.code) for a, b in combinations(node.children, 2)]
        assert (
            len({frozenset(pair) for pair in pairs})
            == len(pairs)
            == len(children) * (len(children) - 1) // 2
        )
        assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
        for row in rows:
            for first in (1, 6):
                element = children[row[first]]
                code, zh, en, unit, definition = row[first : first + 5]
                assert (zh, en) == (element.name_zh, element.name_en)
                if element.is_leaf:
                    indicator = catalogue[code]
                    assert unit == indicator.unit
                    assert f"单位：{indicator.unit}" in definition
                    assert indicator.model in definition
                    assert ("正向" in definition) == (indicator.direction == "positive")
                    assert ("逆向" in definition) == (indicator.direction == "negative")
                else:
                    assert unit and definition.startswith("包括：")
                    for child in element.children:
                        assert child.name_zh in definition and child.name_en in definition


def test_answer_cells_are_text_highlighted_and_offer_exactly_the_scale(workbook) -> None:
    for sheet in node_sheets(workbook):
        rows = range(HEADER_ROW + 1, HEADER_ROW + 1 + len(pair_rows(sheet)))
        answer_cells = {f"{ANSWER_COLUMN}{row}" for row in rows}
        [validation] = sheet.data_validations.dataValidation
        assert validation.type == "list" and validation.allow_blank
        assert validation.formula1.strip('"').split(",") == list(SCALE_TEXTS)
        covered = {
            f"{get_column_letter(column)}{row}"
            for cells in validation.sqref.ranges
            for row, column in cells.cells
        }
        assert covered == answer_cells
        assert validation.showErrorMessage and validation.showInputMessage
        for message in (validation.prompt, validation.error):
            assert CJK.search(message) and LATIN.search(message)
        for coordinate in answer_cells:
            assert sheet[coordinate].number_format == "@"
            assert sheet[coordinate].fill.fgColor.rgb.endswith("FFF2CC")


def test_the_form_sheet_is_hidden_and_lists_every_node_sheet(workbook, system) -> None:
    form = workbook["_form"]
    assert form.sheet_state == "hidden"
    rows = list(form.iter_rows(values_only=True))
    assert rows[0][:2] == ("format_version", "1") and rows[1][:2] == ("system_code", SYSTEM)
    assert rows[2][0] == "generated_at" and datetime.fromisoformat(rows[2][1]).tzinfo
    listed = [tuple(v for v in row if v) for row in rows[5:]]
    assert listed == [
        (sheet.title, node.code, *(child.code for child in node.children))
        for sheet, node in zip(node_sheets(workbook), pre_order(system.root), strict=True)
    ]


def test_sheet_names_are_ones_excel_accepts() -> None:
    node = Node("x", "算力/存力[规模]:质效*?\\ 以及一个很长很长很长很长很长很长很长的名字", "x")
    name = sheet_name(3, node)
    assert name.startswith("03 算力存力规模质效") and len(name) == 31
    assert not re.search(r"[\[\]:*?/\\]", name)


def test_one_file_per_expert(system, tmp_path: Path) -> None:
    paths = write_questionnaires(system, tmp_path / "out", 3)
    assert [p.name for p in paths] == [f"{SYSTEM}__E0{i}.xlsx" for i in (1, 2, 3)]
    ids = [read_questionnaire(p.read_bytes(), p.name).expert_id for p in paths]
    assert ids == ["E01", "E02", "E03"]


# ------------------------------------------------------------------ what comes back

# Known answers (node → pair → what the cell holds), some left blank; 3 is a number as Excel
# stores a typed 3, the others text as the list writes them.
ANSWERS = {
    "composite": {("compute", "storage"): "2", ("compute", "network"): 3,
                  ("storage", "model"): "1/3", ("model", "environment"): None},
    "compute_quality": {("rack_utilisation", "pue"): "1/9", ("pue", "compute_revenue"): "9",
                        ("cue", "compute_revenue"): 0.5},
    "environment_market": {("leading_firm_presence", "honours"): "１／５"},
}  # fmt: skip


@pytest.fixture(scope="module")
def filled(questionnaire: Path) -> Path:
    return fill_questionnaire(
        questionnaire, questionnaire.with_name("filled.xlsx"), ANSWERS, "王芳", expert_weight=2
    )


def test_a_round_trip_gives_back_every_answer_blanks_and_rows(filled: Path, system) -> None:
    result = read_questionnaire(filled.read_bytes(), "王芳.xlsx")
    assert result.problems == ()
    assert (result.file_name, result.system_code, result.expert_id) == ("王芳.xlsx", SYSTEM, "E07")
    assert (result.expert_name, result.expert_organisation, result.expert_weight) == (
        "王芳", None, 2.0,
    )  # fmt: skip
    inner = pre_order(system.root)
    assert len(result.answers) == sum(len(n.children) * (len(n.children) - 1) // 2 for n in inner)
    by_pair = {(a.node_code, a.row_code, a.column_code): a for a in result.answers}
    assert len(by_pair) == len(result.answers)
    for node in inner:
        for index, (a, b) in enumerate(combinations(node.children, 2)):
            answer = by_pair[(node.code, a.code, b.code)]
            assert answer.row == HEADER_ROW + 1 + index
            assert answer.sheet == f"{inner.index(node) + 1:02d} {node.name_zh}"
            given = ANSWERS.get(node.code, {}).get((a.code, b.code))
            if given is None:
                assert (answer.written, answer.value) == (None, None)
            else:
                expected = {"１／５": 0.2}.get(given, given)
                assert answer.value == pytest.approx(float(Fraction(str(expected))))
                assert answer.written == str(given)


def test_filling_keeps_validation_text_format_and_names(filled: Path) -> None:
    workbook = openpyxl.load_workbook(filled)
    sheet = workbook["01 综合算力指数"]
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1.strip('"').split(",") == list(SCALE_TEXTS)
    assert str(validation.sqref) == "L6:L15" and validation.prompt and validation.error
    # storage vs model is the sixth pair: compute with each of the four others comes first.
    assert sheet["L11"].value == "1/3" and sheet["L11"].number_format == "@"
    assert workbook["_form"].sheet_state == "hidden"
    assert set(EXPERT_NAMES) <= set(workbook.defined_names)
    assert sheet.defined_names["node_code"].attr_text == "'01 综合算力指数'!$B$1"


def test_the_reader_finds_node_sheets_by_code_not_by_name(filled: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(filled)
    workbook["01 综合算力指数"].title = "renamed"
    workbook.save(tmp_path / "renamed.xlsx")
    renamed = read_questionnaire((tmp_path / "renamed.xlsx").read_bytes(), "renamed.xlsx")
    original = read_questionnaire(filled.read_bytes(), "renamed.xlsx")
    assert renamed.problems == ()
    assert [(a.node_code, a.row, a.written) for a in renamed.answers] == [
        (a.node_code, a.row, a.written) for a in original.answers
    ]
    assert {a.sheet for a in renamed.answers if a.node_code == "composite"} == {"renamed"}


def test_an_off_scale_answer_is_a_problem_naming_file_row_column_and_value(
    questionnaire: Path, tmp_path: Path
) -> None:
    path = fill_questionnaire(
        questionnaire,
        tmp_path / "off.xlsx",
        {"compute": {("compute_scale", "compute_quality"): "2.5"}},
        "李雷",
    )
    result = read_questionnaire(path.read_bytes(), "off.xlsx")
    [problem] = result.problems
    assert (problem.kind, problem.file, problem.row, problem.column, problem.value) == (
        "off_scale", "off.xlsx", 6, "02 算力!答案 Answer", "2.5",
    )  # fmt: skip
    assert problem.expected == EXPECTED
    assert str(problem).startswith('off.xlsx: row 6, column "02 算力!答案 Answer": value "2.5"')
    [answer] = [a for a in result.answers if a.written]
    assert (answer.row_code, answer.column_code, answer.value) == (
        "compute_scale", "compute_quality", None,
    )  # fmt: skip


def test_a_missing_name_and_a_weight_that_is_no_number_are_problems(
    questionnaire: Path, tmp_path: Path
) -> None:
    path = fill_questionnaire(questionnaire, tmp_path / "w.xlsx", {}, "", expert_weight=-1)
    result = read_questionnaire(path.read_bytes(), "w.xlsx")
    found = {(p.kind, p.row, p.column, p.value) for p in result.problems}
    assert found == {
        ("missing_value", 7, f"{INSTRUCTIONS}!姓名 Name", None),
        ("not_a_number", 9, f"{INSTRUCTIONS}!权重 Weight", "-1"),
    }
    assert result.expert_name is None and result.expert_weight is None


def test_a_file_that_is_not_a_questionnaire_is_an_unknown_format(tmp_path: Path) -> None:
    other = openpyxl.Workbook()
    other.active["A1"] = "not a questionnaire"
    other.save(tmp_path / "other.xlsx")
    for content, name in ((b"a,b\n1,2\n", "judgements.csv"),
                          ((tmp_path / "other.xlsx").read_bytes(), "other.xlsx")):  # fmt: skip
        result = read_questionnaire(content, name)
        [problem] = result.problems
        assert (problem.kind, problem.file) == ("unknown_format", name)
        assert result.answers == ()

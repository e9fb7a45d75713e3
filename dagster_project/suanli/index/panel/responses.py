"""Filled questionnaires back in: what an expert answered, cell by cell, and what is wrong.

`read_questionnaire` reads a workbook written by `suanli.index.panel.workbook` (layout there)
with openpyxl in read-only mode. The `_form` sheet says which nodes to expect; a node's sheet
is found by its code in B1 (so a renamed sheet still counts) and each pair by the codes in its
A and B code columns, never by names. Every answer is parsed on Saaty's scale; whatever cannot
be used becomes a `Problem` (file, sheet row, column, value as written, what was expected),
as for any delivery. Whether the pairs are still those of the current definition is the
caller's business.

`fill_questionnaire` writes answers into a copy (for tests and for organisers who transcribe
answers given on paper). openpyxl keeps the answer cells' list validation, text format and the
defined names when it saves (the tests check it on the saved file).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.exceptions import InvalidFileException

from suanli.index.panel.scale import EXPECTED, ScaleError, parse_answer
from suanli.index.panel.workbook import (
    A_CODE,
    ANSWER,
    ANSWER_LABEL,
    B_CODE,
    EXPERT_FIELDS,
    FIRST_PAIR_ROW,
    FORM_NODES_ROW,
    FORM_SHEET,
    FORM_VERSION,
    HEADERS,
    INSTRUCTIONS_SHEET,
    NODE_CODE_COLUMN,
    NODE_CODE_ROW,
)
from suanli.intake.errors import (
    MISSING_VALUE,
    NOT_A_NUMBER,
    NOT_ALLOWED,
    OFF_SCALE,
    UNKNOWN_FORMAT,
    Problem,
)

QUESTIONNAIRE = (
    f"an .xlsx questionnaire of format {FORM_VERSION}, as `python -m suanli.cli questionnaire` "
    "writes it"
)
LABELS = {name: f"{zh} {en}" for name, zh, en, _ in EXPERT_FIELDS}


@dataclass(frozen=True)
class Answer:
    sheet: str
    row: int  # 1-based sheet row
    node_code: str
    row_code: str  # A: the pair's first element, the row of the pairwise matrix
    column_code: str  # B: its second, the column
    written: str | None  # the cell as text, None when blank
    value: float | None  # on Saaty's scale; None when blank or off the scale (then a Problem)


@dataclass(frozen=True)
class FilledQuestionnaire:
    file_name: str
    system_code: str
    expert_id: str
    expert_name: str | None
    expert_organisation: str | None
    expert_weight: float | None
    answers: tuple[Answer, ...]
    problems: tuple[Problem, ...]


def read_questionnaire(content: bytes, file_name: str) -> FilledQuestionnaire:
    """Every answer of a filled questionnaire, and every problem found in it."""
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        return _not_a_questionnaire(file_name, None)
    try:
        return _Reader(workbook, file_name).read()
    finally:
        workbook.close()


def _not_a_questionnaire(file_name: str, value: str | None) -> FilledQuestionnaire:
    problem = Problem(UNKNOWN_FORMAT, file_name, None, None, value, QUESTIONNAIRE)
    return FilledQuestionnaire(file_name, "", "", None, None, None, (), (problem,))


def _text(value: Any) -> str | None:
    """A cell as text: None when blank, 3.0 as 3, dates as ISO."""
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _at(row: tuple[Any, ...], column: int) -> Any:
    """The value at a 0-based column of a read-only row, which may be short."""
    return row[column] if column < len(row) else None


class _Reader:
    def __init__(self, workbook: Workbook, file_name: str) -> None:
        self.workbook, self.file = workbook, file_name
        self.problems: list[Problem] = []

    def problem(self, kind: str, row: int | None, column: str | None, value: Any, expected: str):
        self.problems.append(Problem(kind, self.file, row, column, _text(value), expected))

    def read(self) -> FilledQuestionnaire:
        if FORM_SHEET not in self.workbook.sheetnames:
            return _not_a_questionnaire(self.file, None)
        form = list(self.workbook[FORM_SHEET].iter_rows(values_only=True))
        settings = {_at(row, 0): _at(row, 1) for row in form[: FORM_NODES_ROW - 1]}
        if str(settings.get("format_version")) != FORM_VERSION:
            return _not_a_questionnaire(self.file, _text(settings.get("format_version")))
        system_code = str(settings.get("system_code") or "")
        nodes = [
            (str(_at(row, 0)), str(_at(row, 1)))
            for row in form[FORM_NODES_ROW:]
            if _at(row, 0) and _at(row, 1)
        ]
        expert = self.expert_block(system_code)
        answers = self.answers(nodes)
        return FilledQuestionnaire(
            self.file,
            system_code,
            expert["expert_id"] or "",
            expert["expert_name"],
            expert["expert_organisation"],
            expert["expert_weight"],
            tuple(answers),
            tuple(self.problems),
        )

    def cell(self, name: str) -> tuple[str, int, Any]:
        """The sheet, row and value of a workbook defined name's cell."""
        defined = self.workbook.defined_names.get(name)
        destinations = list(defined.destinations) if defined is not None else []
        if len(destinations) != 1 or destinations[0][0] not in self.workbook.sheetnames:
            return INSTRUCTIONS_SHEET, 0, None
        sheet, coordinate = destinations[0]
        row, column = coordinate_to_tuple(coordinate.replace("$", ""))
        cells = self.workbook[sheet].iter_rows(min_row=row, max_row=row, values_only=True)
        value = _at(next(cells, ()), column - 1)
        return sheet, row, value

    def expert_block(self, system_code: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, *_ in EXPERT_FIELDS:
            sheet, row, value = self.cell(name)
            column, text = f"{sheet}!{LABELS[name]}", _text(value)
            if row == 0:
                self.problem(UNKNOWN_FORMAT, None, column, None, f"the defined name {name}")
                found[name] = None
            elif name == "expert_weight":
                found[name] = self.weight(row, column, value)
            else:
                found[name] = text.strip() if text else None
            if name == "system_code" and row and found[name] != system_code:
                self.problem(NOT_ALLOWED, row, column, value, f"{system_code} (do not change)")
            if name in ("expert_id", "expert_name") and row and found[name] is None:
                self.problem(MISSING_VALUE, row, column, None, f"a value in {LABELS[name]}")
        return found

    def weight(self, row: int, column: str, value: Any) -> float | None:
        if _text(value) is None:
            self.problem(MISSING_VALUE, row, column, None, "a positive number (1 by default)")
            return None
        try:
            weight = float(value)
        except (TypeError, ValueError):
            weight = math.nan
        if not (math.isfinite(weight) and weight > 0) or isinstance(value, bool):
            self.problem(NOT_A_NUMBER, row, column, value, "a positive number (1 by default)")
            return None
        return weight

    def node_sheets(self, codes: set[str]) -> dict[str, str]:
        """Node code → sheet title, by the code in B1 of each sheet."""
        found: dict[str, str] = {}
        for title in self.workbook.sheetnames:
            if title in (FORM_SHEET, INSTRUCTIONS_SHEET):
                continue
            rows = self.workbook[title].iter_rows(
                min_row=NODE_CODE_ROW, max_row=NODE_CODE_ROW, values_only=True
            )
            code = _text(_at(next(rows, ()), NODE_CODE_COLUMN - 1))
            if code in codes and code not in found:
                found[code] = title
        return found

    def answers(self, nodes: Iterable[tuple[str, str]]) -> list[Answer]:
        nodes = list(nodes)
        sheets = self.node_sheets({code for _, code in nodes})
        answers: list[Answer] = []
        for form_sheet, code in nodes:
            sheet = sheets.get(code)
            if sheet is None:
                self.problem(MISSING_VALUE, None, form_sheet, None,
                             f"the sheet of node {code} (B1 = {code})")  # fmt: skip
                continue
            rows = self.workbook[sheet].iter_rows(min_row=FIRST_PAIR_ROW, values_only=True)
            for number, values in enumerate(rows, start=FIRST_PAIR_ROW):
                answer = self.answer(sheet, number, code, values)
                if answer is not None:
                    answers.append(answer)
        return answers

    def answer(self, sheet: str, row: int, node: str, values: tuple) -> Answer | None:
        a, b = _text(_at(values, A_CODE)), _text(_at(values, B_CODE))
        raw = _at(values, ANSWER)
        written = _text(raw)
        if a is None and b is None and written is None:
            return None
        if a is None or b is None:
            column = HEADERS[A_CODE] if a is None else HEADERS[B_CODE]
            self.problem(MISSING_VALUE, row, f"{sheet}!{column}", None,
                         "the element's code, as the questionnaire wrote it")  # fmt: skip
            return None
        try:
            value = parse_answer(raw)
        except ScaleError:
            self.problem(OFF_SCALE, row, f"{sheet}!{ANSWER_LABEL}", written, EXPECTED)
            value = None
        return Answer(sheet, row, node, a.strip(), b.strip(), written, value)


def fill_questionnaire(
    path: Path,
    out: Path,
    answers: Mapping[str, Mapping[tuple[str, str], object]],
    expert_name: str,
    expert_weight: float | None = None,
) -> Path:
    """A copy of the questionnaire at `path`, saved at `out`, with `answers` (node code →
    {(row_code, column_code): value}; a value as the cell should hold it: "1/3", 3, None) and
    the expert's name (and weight, if given) filled in. A pair not on the node's sheet, or a
    node without a sheet, is a ValueError."""
    workbook = load_workbook(path)
    sheets = {
        worksheet.cell(NODE_CODE_ROW, NODE_CODE_COLUMN).value: worksheet
        for worksheet in workbook.worksheets
        if worksheet.title not in (FORM_SHEET, INSTRUCTIONS_SHEET)
    }
    for node, given in answers.items():
        if node not in sheets:
            raise ValueError(f"{path.name}: no sheet for node {node!r}")
        sheet = sheets[node]
        rows = {
            (sheet.cell(row, A_CODE + 1).value, sheet.cell(row, B_CODE + 1).value): row
            for row in range(FIRST_PAIR_ROW, sheet.max_row + 1)
        }
        for pair, value in given.items():
            if pair not in rows:
                raise ValueError(f"{path.name}: node {node!r} asks no pair {pair!r}")
            sheet.cell(rows[pair], ANSWER + 1).value = value
    for name, value in (("expert_name", expert_name), ("expert_weight", expert_weight)):
        if value is not None:
            [(title, coordinate)] = workbook.defined_names[name].destinations
            workbook[title][coordinate.replace("$", "")].value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return out

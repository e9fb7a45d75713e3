"""Expert questionnaires: one Excel workbook per expert, asking for every pairwise judgement of
an index system on Saaty's scale (`suanli.index.panel.scale`). 中文 first, English beside.

Layout (the reader, `suanli.index.panel.responses`, relies on exactly this):

* `说明 Instructions` (first): title; the expert block, whose value cells carry the workbook's
  defined names `system_code`, `expert_id` (both prefilled), `expert_name` (to fill),
  `expert_organisation` (optional) and `expert_weight` (prefilled 1, set by the organiser);
  Saaty's scale with its meanings; how to answer; a worked example with its weights.
* One sheet per inner node, in hierarchy order (`IndexSystem.nodes()`, pre-order), named
  `"{k:02d} {name_zh}"` (k from 01, Excel's forbidden characters removed, cut to 31). **Cell
  B1 holds the node's code** (also the sheet-scoped defined name `node_code`): the reader finds
  a node's sheet by B1, never by its name. Row 5 is the header, rows 6… one per unordered pair
  of the node's children (i < j in the order of `children`): 序号 No. | A code, 名称, name,
  unit, definition | B code, 名称, name, unit, definition | 答案 Answer | 备注 Comment. Answer
  cells are text ('@': Excel must not turn 1/3 into a date), highlighted, and validated
  against a list of exactly `SCALE_TEXTS` (blank allowed).
* `_form` (hidden, machine-readable): `format_version`, `system_code`, `generated_at` in
  A1:B3; from row 5 a header and one row per node sheet: sheet name, node code, then the
  children's codes in order, one per cell.

The catalogue holds no prose definitions, so a definition says what the data says: an
indicator's direction, unit and the model it comes from; an inner node's children.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from suanli.index.ahp import ahp_weights
from suanli.index.catalogue import Indicator, load_catalogue
from suanli.index.panel.scale import INTERMEDIATE, MEANINGS, SCALE_TEXTS
from suanli.index.systems import IndexSystem, Node

FORM_VERSION = "1"
INSTRUCTIONS_SHEET = "说明 Instructions"
FORM_SHEET = "_form"
NODE_CODE_NAME = "node_code"  # sheet-scoped defined name of B1 on every node sheet
NODE_CODE_ROW, NODE_CODE_COLUMN = 1, 2  # B1, 1-based
HEADER_ROW = 5  # 1-based sheet rows
FIRST_PAIR_ROW = HEADER_ROW + 1
FORM_NODES_ROW = 5  # the header of `_form`'s node rows
HEADERS = (
    "序号 No.",
    "A 代码 code",
    "A 名称",
    "A name",
    "A 单位 unit",
    "A 定义 definition",
    "B 代码 code",
    "B 名称",
    "B name",
    "B 单位 unit",
    "B 定义 definition",
    "答案 Answer\nA 比 B 重要多少 / how much more important A is than B",
    "备注 Comment",
)
A_CODE, B_CODE, ANSWER, COMMENT = 1, 6, 11, 12  # 0-based columns
ANSWER_LABEL = "答案 Answer"
WIDTHS = (6, 22, 16, 26, 10, 44, 22, 16, 26, 10, 44, 20, 30)
# The expert block: defined name, 中文 label, English label, note; value cells C5, C6, …
EXPERT_FIELDS = (
    ("system_code", "指数体系代码", "System code", "请勿修改 / do not change"),
    ("expert_id", "专家编号", "Expert ID", "请勿修改 / do not change"),
    ("expert_name", "姓名", "Name", "必填 / required"),
    ("expert_organisation", "单位", "Organisation", "选填 / optional"),
    ("expert_weight", "权重", "Weight", "由专家组组织者设定 / set by the panel organiser"),
)
EXPERT_FIRST_ROW = 5  # 1-based; the labels in A and B, the values in C
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
HOW_TO = (
    ("每一行比较 A 与 B：A 比 B 重要多少。", "Each row compares A with B: how much more "
     "important A is than B."),
    ("在“答案”列的下拉列表中选择：9 … 2 表示 A 更重要，1 表示同等重要，1/2 … 1/9 表示 B 更重要。",
     "Choose from the list in the Answer column: 9 … 2 when A is the more important, 1 when "
     "both are equally important, 1/2 … 1/9 when B is the more important."),
    ("无法判断时请留空：空白的比较将用 Bozóki 的最小不一致方法补全。",
     "Leave it blank if you cannot judge: blank comparisons are completed by Bozóki's "
     "least-inconsistent method."),
    ("判断须前后一致（一致性比率 CR < 0.10），否则问卷将退回，并指出需修改的判断。",
     "Answers must be consistent (consistency ratio CR < 0.10), or the workbook is returned "
     "to you with the judgement to revise."),
    ("请勿修改代码列、工作表名称或结构；请保存为 .xlsx 格式。",
     "Do not change the code columns, the sheets or their layout; save as .xlsx."),
    ("发送前请检查：python -m suanli.cli check expert_judgements 文件名",
     "Before sending, check it with: python -m suanli.cli check expert_judgements FILE"),
)  # fmt: skip
EXAMPLE = (("甲 X", "乙 Y", "3"), ("甲 X", "丙 Z", "5"), ("乙 Y", "丙 Z", "2"))


def sheet_name(k: int, node: Node) -> str:
    """`"{k:02d} {name_zh}"` as Excel allows it: no []:*?/\\, at most 31 characters."""
    return FORBIDDEN.sub("", f"{k:02d} {node.name_zh}")[:SHEET_NAME_MAX].strip().strip("'")


def definition(node: Node, catalogue: Mapping[str, Indicator]) -> str:
    """What the data says a node is: an indicator's direction, unit and source model; an inner
    node's children."""
    if node.is_leaf:
        indicator = catalogue[node.code]
        if node.direction == "negative":
            zh, en = "逆向指标（越小越好）", "negative (lower is better)"
        else:
            zh, en = "正向指标（越大越好）", "positive (higher is better)"
        return (
            f"{zh}，单位：{node.unit}，来源模型：{indicator.model} / "
            f"{en}, unit {node.unit}, source model {indicator.model}"
        )
    zh = "、".join(child.name_zh for child in node.children)
    en = ", ".join(child.name_en for child in node.children)
    return f"包括：{zh} / comprises: {en}"


def unit(node: Node) -> str:
    return node.unit if node.unit else "无（合成得分）/ none (composite score)"


def write_questionnaire(
    system: IndexSystem,
    path: Path,
    expert_id: str,
    catalogue: Mapping[str, Indicator] | None = None,
) -> Path:
    """One expert's questionnaire over every inner node of `system`, written to `path`."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(str(path))
    styles = _styles(workbook)
    _instructions(workbook, styles, system, expert_id)
    nodes = system.inner_nodes()  # one sheet each
    names = [sheet_name(k, node) for k, node in enumerate(nodes, start=1)]
    for name, node in zip(names, nodes, strict=True):
        _node_sheet(workbook, styles, name, node, catalogue)
    form = workbook.add_worksheet(FORM_SHEET)
    form.hide()
    generated_at = datetime.now(UTC).isoformat(timespec="seconds")
    for row, (key, value) in enumerate(
        (("format_version", FORM_VERSION), ("system_code", system.system_code),
         ("generated_at", generated_at))
    ):  # fmt: skip
        form.write_string(row, 0, key)
        form.write_string(row, 1, value)
    form.write_row(FORM_NODES_ROW - 1, 0, ("sheet", "node_code", "children"))
    for row, (name, node) in enumerate(zip(names, nodes, strict=True), start=FORM_NODES_ROW):
        form.write_row(row, 0, (name, node.code, *(child.code for child in node.children)))
    workbook.close()
    return path


def write_questionnaires(system: IndexSystem, out_dir: Path, n_experts: int) -> list[Path]:
    """`{system_code}__E01.xlsx` … one per expert (ids E01, E02, …) in `out_dir`."""
    if n_experts < 1:
        raise ValueError(f"n_experts must be at least 1, not {n_experts}")
    catalogue = load_catalogue()
    paths = []
    for i in range(1, n_experts + 1):
        expert_id = f"E{i:02d}"
        path = out_dir / f"{system.system_code}__{expert_id}.xlsx"
        paths.append(write_questionnaire(system, path, expert_id, catalogue))
    return paths


def _styles(workbook: Workbook) -> dict[str, Format]:
    def style(**properties: object) -> Format:
        return workbook.add_format({"valign": "top", **properties})

    highlight = {"bg_color": "#FFF2CC", "border": 2, "border_color": "#BF8F00", "locked": False}
    return {
        "title": style(bold=True, font_size=14),
        "bold": style(bold=True),
        "text": style(text_wrap=True),
        "header": style(bold=True, text_wrap=True, bg_color="#D9E1F2", border=1),
        "cell": style(text_wrap=True, border=1),
        "code": style(border=1, font_color="#595959"),
        "answer": style(num_format="@", align="center", bold=True, **highlight),
        "fill": style(num_format="@", **highlight),
        "weight": style(**highlight),
    }


def _instructions(
    workbook: Workbook, styles: dict[str, Format], system: IndexSystem, expert_id: str
) -> None:
    sheet = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    sheet.activate()
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, 3, 40)
    sheet.write(0, 0, f"{system.name_zh} — 专家判断问卷", styles["title"])
    sheet.write(1, 0, f"{system.name_en} — expert judgement questionnaire", styles["title"])
    sheet.write(EXPERT_FIRST_ROW - 2, 0, "专家信息", styles["bold"])
    sheet.write(EXPERT_FIRST_ROW - 2, 1, "Expert", styles["bold"])
    values = {"system_code": system.system_code, "expert_id": expert_id}
    for row, (name, zh, en, note) in enumerate(EXPERT_FIELDS, start=EXPERT_FIRST_ROW - 1):
        sheet.write(row, 0, zh, styles["bold"])
        sheet.write(row, 1, en, styles["bold"])
        if name == "expert_weight":
            sheet.write_number(row, 2, 1, styles["weight"])
        elif name in values:
            sheet.write_string(row, 2, values[name], styles["code"])
        else:
            sheet.write_blank(row, 2, None, styles["fill"])
        sheet.write(row, 3, note, styles["text"])
        workbook.define_name(name, f"='{INSTRUCTIONS_SHEET}'!$C${row + 1}")

    row = EXPERT_FIRST_ROW + len(EXPERT_FIELDS) + 1
    row = _table(sheet, styles, row, "Saaty 1–9 标度 / Saaty's 1–9 scale",
                 ("数值 Value", "含义", "Meaning"), _scale_rows())  # fmt: skip
    sheet.write(row, 0, "如何回答", styles["bold"])
    sheet.write(row, 1, "How to answer", styles["bold"])
    for k, (zh, en) in enumerate(HOW_TO, start=1):
        sheet.write(row + k, 0, f"{k}.", styles["text"])
        sheet.write(row + k, 1, zh, styles["text"])
        sheet.write(row + k, 2, en, styles["text"])
    _example(sheet, styles, row + len(HOW_TO) + 2)


def _scale_rows() -> list[tuple[str, str, str]]:
    rows = []
    for k in range(1, 10):
        zh, en = MEANINGS.get(k, INTERMEDIATE)
        rows.append((str(k), f"A 比 B：{zh}", f"A over B: {en}"))
    rows.append(
        ("1/k (1/2 … 1/9)", "反过来：B 比 A 重要 k（如 1/3：B 比 A 稍微重要）",
         "The reverse: B is k over A (e.g. 1/3: B is moderately more important than A)")
    )  # fmt: skip
    return rows


def _table(
    sheet: Worksheet,
    styles: dict[str, Format],
    row: int,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> int:
    """A titled table from `row` (0-based); returns the row after it and a blank one."""
    sheet.write(row, 0, title, styles["bold"])
    sheet.write_row(row + 1, 0, headers, styles["header"])
    for i, values in enumerate(rows, start=row + 2):
        sheet.write_row(i, 0, values, styles["cell"])
    return row + len(rows) + 3


def _example(sheet: Worksheet, styles: dict[str, Format], row: int) -> None:
    """Three elements, three answers and the weights they give (computed, not typed in)."""
    order = ("甲 X", "乙 Y", "丙 Z")
    matrix = [[1.0] * 3 for _ in order]
    for a, b, answer in EXAMPLE:
        i, j = order.index(a), order.index(b)
        matrix[i][j] = float(answer)
        matrix[j][i] = 1 / float(answer)
    result = ahp_weights(matrix)
    rows = []
    for a, b, answer in EXAMPLE:
        zh, en = MEANINGS.get(int(answer), INTERMEDIATE)
        rows.append((a, b, answer, f"{a} 比 {b}：{zh} / {a[-1]} over {b[-1]}: {en}"))
    row = _table(sheet, styles, row, "示例：三个要素 / Worked example: three elements",
                 ("A", "B", "答案 Answer", "含义 Meaning"), rows)  # fmt: skip
    weights = [(name, f"{weight:.1%}") for name, weight in zip(order, result.weights, strict=True)]
    row = _table(sheet, styles, row - 1, "由此得到的权重 / The weights these answers give",
                 ("要素 Element", "权重 Weight"), weights)  # fmt: skip
    sheet.write(
        row - 1,
        0,
        f"一致性比率 CR = {result.consistency_ratio:.3f} < 0.10：一致 / consistent",
        styles["text"],
    )


def _node_sheet(
    workbook: Workbook,
    styles: dict[str, Format],
    name: str,
    node: Node,
    catalogue: Mapping[str, Indicator],
) -> None:
    sheet = workbook.add_worksheet(name)
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    sheet.write(0, 0, "节点代码 Node code", styles["bold"])
    sheet.write_string(NODE_CODE_ROW - 1, NODE_CODE_COLUMN - 1, node.code, styles["bold"])
    workbook.define_name(f"'{name}'!{NODE_CODE_NAME}", f"='{name}'!$B$1")
    sheet.write(1, 0, "节点 Node", styles["bold"])
    sheet.write(1, 1, node.name_zh, styles["bold"])
    sheet.write(1, 3, node.name_en, styles["bold"])
    sheet.write(
        2,
        0,
        "请对每一对要素回答：A 比 B 重要多少（从列表选择，无法判断请留空）。 / For each pair, "
        "answer how much more important A is than B (choose from the list; leave blank if you "
        "cannot judge).",
    )
    sheet.write_row(HEADER_ROW - 1, 0, HEADERS, styles["header"])
    sheet.set_row(HEADER_ROW - 1, 45)
    sheet.freeze_panes(HEADER_ROW, 0)
    pairs = list(combinations(node.children, 2))
    for number, (a, b) in enumerate(pairs, start=1):
        row = FIRST_PAIR_ROW - 2 + number
        sheet.write_number(row, 0, number, styles["cell"])
        for first, element in ((A_CODE, a), (B_CODE, b)):
            sheet.write_string(row, first, element.code, styles["code"])
            sheet.write_string(row, first + 1, element.name_zh, styles["cell"])
            sheet.write_string(row, first + 2, element.name_en, styles["cell"])
            sheet.write_string(row, first + 3, unit(element), styles["cell"])
            sheet.write_string(row, first + 4, definition(element, catalogue), styles["cell"])
        sheet.write_blank(row, ANSWER, None, styles["answer"])
        sheet.write_blank(row, COMMENT, None, styles["fill"])
    last = FIRST_PAIR_ROW - 2 + len(pairs)
    sheet.data_validation(
        FIRST_PAIR_ROW - 1,
        ANSWER,
        last,
        ANSWER,
        {
            "validate": "list",
            "source": list(SCALE_TEXTS),
            "ignore_blank": True,
            "input_title": "答案 Answer",
            "input_message": "A 比 B 重要多少？请从列表选择，无法判断请留空。\n"
            "How much more important is A than B? Choose from the list; leave blank if you "
            "cannot judge.",
            "error_title": "不在标度上 Not on the scale",
            "error_message": "请选择 9 … 1 … 1/9 之一。\nChoose one of 9 … 1 … 1/9 from the list.",
            "error_type": "stop",
        },
    )

"""The workbook's guide: its 说明 About sheet, the order of its sheets, which columns show two
decimals.

What the sheet says is read from the dbt manifest, so the workbook and dbt docs use the same
words: each mart's and column's description (written `中文 / English`, split at the first
` / `), and the order of the sheets, the `depends_on` list of the `suanli_marts_workbook`
exposure in models/marts/_marts.yml. The data note and the provenance labels come from
`suanli.data_note`, which the report quotes too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xlsxwriter import Workbook

from suanli.data_note import DATA_NOTE_PAGE, DATA_NOTE_PAGE_EN, PROVENANCE_MEANINGS

ABOUT_SHEET = "说明 About"
WORKBOOK_EXPOSURE = "suanli_marts_workbook"
SCHEMA = "marts"  # as in suanli.publish.exports, which imports this module
BILINGUAL_SEPARATOR = " / "
# Score points (0–100, or beyond for base-year systems) shown to two decimals: scores, their
# changes, means and percentiles, contributions to a score and gaps between scores. Weights,
# shares, correlations and statistics keep Excel's General format (their precision matters).
SCORE_COLUMN = re.compile(r"^(score|contribution)$|^score_|_score$|^gap_to_")
SCORE_FORMAT = "0.00"
FRACTIONAL_TYPES = frozenset({"float", "double", "decimal"})
# The 说明 sheet's columns: label or sheet, then four of text (widths in Excel's units).
ABOUT_WIDTHS = (30, 34, 22, 70, 70)

Bilingual = tuple[str, str]


def shows_two_decimals(column: str, type_id: str) -> bool:
    """Whether a column of this name and DuckDB type (`DuckDBPyType.id`) holds score points."""
    return type_id in FRACTIONAL_TYPES and bool(SCORE_COLUMN.search(column))


def split_bilingual(text: str) -> Bilingual:
    """`("中文", "English")` from a dbt description `中文 / English`; the English is empty when
    the description has no separator (the guide's test reports it)."""
    text = " ".join(text.split())
    zh, separator, en = text.partition(BILINGUAL_SEPARATOR)
    return (zh.strip(), en.strip()) if separator else (text, "")


@dataclass(frozen=True)
class MartGuide:
    """What a mart holds and what each documented column means, in 中文 and English."""

    description: Bilingual
    columns: Mapping[str, Bilingual] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkbookGuide:
    """The workbook's order of sheets and the marts' documentation, from a dbt manifest."""

    order: tuple[str, ...] = ()
    marts: Mapping[str, MartGuide] = field(default_factory=dict)

    def ordered(self, marts: Iterable[str]) -> list[str]:
        """`marts` in the exposure's order; any it does not list after them, by name."""
        marts = set(marts)
        listed = [mart for mart in self.order if mart in marts]
        return listed + sorted(marts - set(listed))

    def mart(self, name: str) -> MartGuide:
        return self.marts.get(name, MartGuide(("", "")))

    def document(self) -> dict[str, Any]:
        """The guide as JSON-able data, for the exports' fingerprint."""
        return {
            "order": list(self.order),
            "marts": {
                name: {"description": list(mart.description), "columns": dict(mart.columns)}
                for name, mart in sorted(self.marts.items())
            },
        }


def workbook_guide(manifest: Mapping[str, Any]) -> WorkbookGuide:
    """The guide of the marts documented in a dbt manifest."""
    marts = {
        node["name"]: MartGuide(
            split_bilingual(node.get("description") or ""),
            {
                column: split_bilingual(properties.get("description") or "")
                for column, properties in node["columns"].items()
            },
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == SCHEMA
    }
    exposure = next(
        (
            exposure
            for exposure in manifest.get("exposures", {}).values()
            if exposure["name"] == WORKBOOK_EXPOSURE
        ),
        None,
    )
    order = tuple(ref["name"] for ref in exposure["refs"]) if exposure else ()
    return WorkbookGuide(order=order, marts=marts)


@dataclass(frozen=True)
class SheetEntry:
    """A data sheet as the 说明 sheet lists it."""

    sheet: str
    mart: str
    rows: int
    description: Bilingual


@dataclass(frozen=True)
class ColumnEntry:
    """A column of a data sheet: its name, its header in the sheet and its meaning."""

    sheet: str
    column: str
    header: str
    meaning: Bilingual


def publication_lines(publication: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """`(label, value)` lines saying when and from which run the marts were published."""
    if not publication:
        return [("未发布 Not published", "这些数据集从未发布 / These marts were never published.")]
    published_at = publication.get("published_at")
    when = published_at.isoformat(sep=" ") if isinstance(published_at, datetime) else ""
    lines = [
        ("发布时间 Published at (UTC)", when),
        ("发布运行 Publishing run", str(publication.get("run_id") or "")),
        ("构建运行 Built by run", str(publication.get("built_by_run") or "")),
        ("内容 SHA-256 Content", str(publication.get("content_sha256") or "")),
    ]
    deliveries = publication.get("deliveries")
    if deliveries is not None:
        lines.append(("交付文件 Deliveries", f"{deliveries} 个文件 / files"))
    return lines


def write_about_sheet(
    workbook: Workbook,
    publication: Mapping[str, Any] | None,
    sheets: Sequence[SheetEntry],
    columns: Sequence[ColumnEntry],
) -> None:
    """Add the 说明 About sheet (call before the data sheets: it comes first).

    Top to bottom: the data note, the publication, the provenance labels, a linked table of the
    sheets, the meaning of every column.
    """
    sheet = workbook.add_worksheet(ABOUT_SHEET)
    title = workbook.add_format({"bold": True, "font_size": 14})
    heading = workbook.add_format({"bold": True, "font_size": 12, "bottom": 1})
    header = workbook.add_format({"bold": True, "bg_color": "#EDF2F7"})
    text = workbook.add_format({"text_wrap": True, "valign": "top"})
    link = workbook.add_format({"font_color": "blue", "underline": 1, "valign": "top"})
    for index, width in enumerate(ABOUT_WIDTHS):
        sheet.set_column(index, index, width)
    row = 0

    def line(*values: object, cell_format: Any = text) -> None:
        nonlocal row
        for index, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, index, value, cell_format)
            elif value:
                sheet.write_string(row, index, str(value), cell_format)
        row += 1

    def section(name: str, *headers: str) -> None:
        nonlocal row
        row += 1  # a blank row before each section
        line(name, cell_format=heading)
        if headers:
            line(*headers, cell_format=header)

    line("算力指数数据集工作簿 Workbook of the suanli marts", cell_format=title)
    section("数据说明 Data note")
    line(DATA_NOTE_PAGE)
    line(DATA_NOTE_PAGE_EN)
    section("发布 Publication")
    for label, value in publication_lines(publication):
        line(label, value)
    section("数据性质 Provenance", "标签 Label", "", "", "含义", "Meaning")
    for label, (zh, en) in PROVENANCE_MEANINGS.items():
        line(label, "", "", zh, en)
    section("工作表 Sheets", "工作表 Sheet", "数据集 Mart", "行数 Rows", "内容", "Contents")
    for entry in sheets:
        quoted = entry.sheet.replace("'", "''")
        sheet.write_url(row, 0, f"internal:'{quoted}'!A1", link, string=entry.sheet)
        line("", entry.mart, entry.rows, *entry.description)
    section("列 Columns", "工作表 Sheet", "列名 Column", "表头 Header", "含义", "Meaning")
    for entry in columns:
        line(entry.sheet, entry.column, entry.header, *entry.meaning)
    sheet.freeze_panes(1, 0)

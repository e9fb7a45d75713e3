"""The exported workbook, as a reader opens it: a 说明 About sheet first (the data note, the
publication, every sheet linked, every column explained in 中文 and English, the provenance
labels), composite scores first and provinces before cities, scores shown to two decimals."""

from __future__ import annotations

import re
from typing import Any

import duckdb
import openpyxl
import pytest

from suanli.data_note import DATA_NOTE_PAGE, DATA_NOTE_PAGE_EN, PROVENANCE_MEANINGS
from suanli.publish.exports import column_names_zh, parquet_only
from suanli.publish.workbook_guide import ABOUT_SHEET, shows_two_decimals, workbook_guide

pytestmark = pytest.mark.integration

CJK = re.compile(r"[\u4e00-\u9fff]")
Rows = list[tuple[Any, ...]]


@pytest.fixture(scope="module")
def about(workbook: openpyxl.Workbook) -> Rows:
    return [tuple(row) for row in workbook[ABOUT_SHEET].iter_rows(values_only=True)]


def section(about: Rows, heading: str) -> Rows:
    """The rows under a section's heading and its header row, up to the next blank row."""
    start = next(index for index, row in enumerate(about) if row[0] == heading) + 2
    end = next(
        (index for index, row in enumerate(about[start:], start) if not any(row)), len(about)
    )
    return about[start:end]


def test_the_first_sheet_is_the_guide_with_the_data_note(
    workbook: openpyxl.Workbook, about: Rows
) -> None:
    assert workbook.sheetnames[0] == ABOUT_SHEET
    texts = {value for row in about for value in row if value}
    # The report's wording, from the one place both quote
    assert {DATA_NOTE_PAGE, DATA_NOTE_PAGE_EN} <= texts
    assert "不是官方统计" in DATA_NOTE_PAGE and "not official statistics" in DATA_NOTE_PAGE_EN


def test_the_guide_says_when_and_from_which_run_the_marts_were_published(
    about: Rows, marts: duckdb.DuckDBPyConnection
) -> None:
    published_at, run_id, built_by = marts.execute(
        "select published_at, run_id, built_by_run from marts._publication"
    ).fetchone()
    lines = {row[0]: row[1] for row in about if row[0] and row[1]}
    assert lines["发布时间 Published at (UTC)"] == published_at.isoformat(sep=" ")
    assert lines["发布运行 Publishing run"] == run_id
    assert lines["构建运行 Built by run"] == built_by


def test_every_data_sheet_is_listed_with_a_working_link_and_its_contents(
    workbook: openpyxl.Workbook, about: Rows, marts: duckdb.DuckDBPyConnection
) -> None:
    sheets = workbook[ABOUT_SHEET]
    listed = section(about, "工作表 Sheets")
    assert [row[0] for row in listed] == workbook.sheetnames[1:]
    first = next(i for i, row in enumerate(about, 1) if row[0] == "工作表 Sheets") + 2
    for offset, (name, mart, rows, zh, en) in enumerate(listed):
        link = sheets.cell(first + offset, 1).hyperlink
        assert link is not None and link.location == f"'{name}'!A1", name
        assert workbook[name]["A1"].value is not None  # the link lands on the sheet's header
        assert rows == marts.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        assert CJK.search(zh) and re.search("[A-Za-z]", en), (name, zh, en)


def test_every_column_of_every_data_sheet_is_explained_in_both_languages(
    workbook: openpyxl.Workbook, about: Rows
) -> None:
    explained = {(row[0], row[1]): row[2:] for row in section(about, "列 Columns")}
    expected = set()
    for name in workbook.sheetnames[1:]:
        headers = [cell.value for cell in workbook[name][1]]
        for column, header in zip(explained_columns(about, name), headers, strict=True):
            assert explained[(name, column)][0] == header, (name, column)
            expected.add((name, column))
    assert set(explained) == expected  # no column missing, none of another sheet
    for (name, column), (_, zh, en) in explained.items():
        assert zh and CJK.search(zh), f"{name}.{column}: no Chinese meaning"
        assert en and re.search("[A-Za-z]{2}", en), f"{name}.{column}: no English meaning"
    # Generated node columns of the wide view say which node they are of.
    assert explained[("wide_index_scores", "compute_score")][1].startswith("节点“算力”（compute）")


def explained_columns(about: Rows, sheet: str) -> list[str]:
    return [row[1] for row in section(about, "列 Columns") if row[0] == sheet]


def test_the_four_provenance_labels_are_explained_in_both_languages(about: Rows) -> None:
    labels = {row[0]: (row[3], row[4]) for row in section(about, "数据性质 Provenance")}
    assert labels == PROVENANCE_MEANINGS
    assert set(labels) == {"published", "derived", "synthetic", "imputed"}


def test_scores_show_two_decimals_and_weights_their_precision(
    workbook: openpyxl.Workbook, marts: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    formatted = set()
    for name in workbook.sheetnames[1:]:
        sheet = workbook[name]
        types = {row[0]: row[1] for row in marts.execute(f"describe marts.{name}").fetchall()}
        columns = list(types)
        for row in sheet.iter_rows(min_row=2, max_row=50):
            for column, cell in zip(columns, row, strict=True):
                if isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
                    is_score = shows_two_decimals(column, types[column].lower())
                    assert (cell.number_format == "0.00") is is_score, (name, column)
                    formatted |= {(name, column)} if is_score else set()
    assert {
        ("fct_index_scores", "score"),
        ("wide_index_scores", "composite_score"),
        ("wide_index_scores", "compute_score"),
        ("top10_across_years", "y2025_score"),
        ("fct_rank_history", "score_change"),
    } <= formatted
    # Weights keep Excel's General format: a weight of more than two decimals shows them.
    weights = workbook["fct_index_weights"]
    column = [cell.value for cell in weights[1]].index(
        column_names_zh(manifest)["fct_index_weights"]["local_weight"]
    ) + 1
    precise = [
        cell
        for (cell,) in weights.iter_rows(min_row=2, min_col=column, max_col=column)
        if isinstance(cell.value, float) and cell.value != round(cell.value, 2)
    ]
    assert precise and all(cell.number_format == "General" for cell in precise)


def test_sheets_start_with_the_composite_scores_and_provinces_precede_cities(
    workbook: openpyxl.Workbook, manifest: dict[str, Any]
) -> None:
    sheets = workbook.sheetnames[1:]
    guide = workbook_guide(manifest)
    assert sheets == [mart for mart in guide.order if mart not in parquet_only(manifest)]
    assert sheets[:4] == [
        "wide_index_scores", "top10_by_node", "top10_across_years", "fct_index_scores",
    ]  # fmt: skip
    assert sheets.index("dim_province") < sheets.index("dim_city")
    assert sheets.index("fct_index_scores") < sheets.index("city_top30")

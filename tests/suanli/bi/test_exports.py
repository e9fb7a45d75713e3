"""The `exports/marts` asset: every mart as Parquet and as a sheet of one Excel workbook with
Chinese headers, read back with other tools (DuckDB's Parquet reader, openpyxl)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from suanli.publish.exports import (
    WORKBOOK_NAME,
    column_names_zh,
    export_marts,
    headers_for,
    list_marts,
    parquet_only,
    sheet_names,
)
from suanli.publish.stamps import STAMP, read_stamp
from suanli.publish.workbook_guide import ABOUT_SHEET

pytestmark = pytest.mark.integration

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_mart_of_the_dbt_project_is_exported(
    export_dir: Path, marts: duckdb.DuckDBPyConnection, mart_models: dict[str, str]
) -> None:
    assert set(list_marts(marts)) == set(mart_models)
    assert {"wide_index_scores", "top10_by_node", "city_top30"} <= set(mart_models)
    assert sorted(path.stem for path in export_dir.glob("*.parquet")) == sorted(mart_models)
    # Files are written beside their destination and renamed: nothing half-written is left,
    # only the stamp that names them (written last).
    assert [path.name for path in export_dir.glob(".*")] == [STAMP]
    assert sorted(read_stamp(export_dir)["files"]) == sorted(
        [*(f"{mart}.parquet" for mart in mart_models), WORKBOOK_NAME]
    )


def test_parquet_files_read_back_equal_the_marts_row_for_row(
    export_dir: Path, marts: duckdb.DuckDBPyConnection, empty_on_the_snapshot: frozenset[str]
) -> None:
    for mart in list_marts(marts):
        parquet = str(export_dir / f"{mart}.parquet")
        expected = marts.execute(f"select * from marts.{mart} order by all").fetchall()
        # The export is sorted on every column: the file's own order must already be that.
        actual = marts.execute("select * from read_parquet(?)", [parquet]).fetchall()
        assert bool(expected) != (mart in empty_on_the_snapshot), f"{mart}: {len(expected)} rows"
        assert actual == expected, mart
        mart_types = marts.execute(f"describe marts.{mart}").fetchall()
        file_types = marts.execute("describe select * from read_parquet(?)", [parquet]).fetchall()
        assert [row[:2] for row in file_types] == [row[:2] for row in mart_types], mart


def test_the_workbook_has_one_sheet_per_mart_with_every_row(
    workbook: openpyxl.Workbook, marts: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    left_out = parquet_only(manifest)
    names = [mart for mart in list_marts(marts) if mart not in left_out]
    # After the 说明 About sheet, in the guide's order (tests/suanli/bi/test_workbook_about.py)
    assert workbook.sheetnames[0] == ABOUT_SHEET
    assert sorted(workbook.sheetnames[1:]) == names
    # row-level marts: Parquet, not sheets
    assert left_out == {"fct_indicator_lineage", "fct_score_contributions", "fct_leave_one_out"}
    for mart in names:
        sheet = workbook[mart]
        count = marts.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        assert sheet.max_row == count + 1, mart  # one header row
        assert sheet.max_column == len(marts.execute(f"describe marts.{mart}").fetchall())
        assert sheet.freeze_panes == "A2", mart
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(8 <= width <= 60 for width in widths), (mart, widths)


def test_workbook_headers_are_the_documented_chinese_names(
    workbook: openpyxl.Workbook, marts: duckdb.DuckDBPyConnection, manifest: dict[str, Any]
) -> None:
    documented = column_names_zh(manifest)
    for mart in set(list_marts(marts)) - parquet_only(manifest):
        columns = [row[0] for row in marts.execute(f"describe marts.{mart}").fetchall()]
        headers = [cell.value for cell in workbook[mart][1]]
        assert len(set(headers)) == len(headers), (mart, headers)
        for column, header in zip(columns, headers, strict=True):
            if column in documented[mart]:
                assert header == documented[mart][column]
            assert CJK.search(header), f"{mart}.{column} has no Chinese header: {header}"
    assert [cell.value for cell in workbook["fct_index_scores"][1]] == [
        "指数体系", "年份", "单元层级", "单元代码", "节点代码", "节点层级",
        "得分", "排名", "排名变化", "无得分原因",
    ]  # fmt: skip
    wide = [cell.value for cell in workbook["wide_index_scores"][1]]
    # Generated node columns are named after the node: 算力 (compute) and PUE.
    assert wide[:10] == [
        "指数体系", "单元层级", "单元代码", "单元名称", "单元英文名称", "年份",
        "综合指数得分", "综合指数排名", "算力得分", "算力排名",
    ]  # fmt: skip
    assert "PUE得分" in wide


def test_workbook_values_equal_the_mart_with_chinese_intact(
    workbook: openpyxl.Workbook, marts: duckdb.DuckDBPyConnection
) -> None:
    rows = [tuple(row) for row in workbook["dim_province"].iter_rows(min_row=2, values_only=True)]
    assert rows == marts.execute("select * from marts.dim_province order by all").fetchall()
    assert ("150000", "内蒙古自治区", "内蒙古", "Inner Mongolia") in {row[:4] for row in rows}
    scores = [
        tuple(row) for row in workbook["fct_index_scores"].iter_rows(min_row=2, values_only=True)
    ]
    # Excel keeps one kind of number: a score of 0.0 reads back as 0, equal but an int.
    assert scores == marts.execute("select * from marts.fct_index_scores order by all").fetchall()
    assert all(isinstance(row[1], int) and isinstance(row[6], int | float) for row in scores)


def test_exporting_again_gives_the_same_files(
    export_dir: Path, marts: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    again = export_marts(marts, tmp_path)
    assert [path.name for path in again][-1] == WORKBOOK_NAME
    for path in again:  # the workbook too: it says it was created when the marts were published
        assert path.read_bytes() == (export_dir / path.name).read_bytes(), path.name


def test_sheet_names_are_valid_unique_and_at_most_31_characters() -> None:
    long = "fct_" + "x" * 40
    names = sheet_names([long, long + "_more", "odd/name?", "fct_index_scores"])
    assert all(len(name) <= 31 for name in names.values())
    assert len({name.lower() for name in names.values()}) == 4
    assert names["odd/name?"] == "odd_name_"
    assert names["fct_index_scores"] == "fct_index_scores"


def test_headers_fall_back_to_node_names_then_to_column_names() -> None:
    headers = headers_for(
        ["year", "pue_score", "pue_rank", "mystery", "year_again"],
        known={"year": "年份", "year_again": "年份"},
        nodes={"pue": "PUE"},
    )
    assert headers == ["年份", "PUE得分", "PUE排名", "mystery", "年份 (year_again)"]

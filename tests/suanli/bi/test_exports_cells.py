"""The workbook's cells, which DuckDB writes as XML: every DuckDB type reads back through
openpyxl as the value the marts hold (numbers as numbers, dates and times as dates and times,
text as text, nested values as JSON), with no cell for NULL, NaN or infinities, and the sheet's
XML is well-formed wherever the text has characters XML or Excel treat specially."""

from __future__ import annotations

import struct
import zipfile
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import duckdb
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from suanli.publish.exports import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    DURATION_FORMAT,
    MAX_CHARACTERS,
    TIME_FORMAT,
    WORKBOOK_NAME,
    cell_plan,
    column_width,
    dimension,
    export_marts,
    splice_rows,
)
from suanli.publish.workbook_guide import SCORE_FORMAT, WorkbookGuide

# 0.1 as a 32-bit float, as a double: what DuckDB reads, and Excel keeps, of 0.1::float.
FLOAT_TENTH = struct.unpack("f", struct.pack("f", 0.1))[0]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def export(connection: duckdb.DuckDBPyConnection, out_dir: Path) -> None:
    """Export the marts with no Chinese headers, no Parquet-only mart and no guide."""
    export_marts(connection, out_dir, column_names={}, left_out=(), guide=WorkbookGuide())


def export_values(
    tmp_path: Path, type_sql: str, values_sql: list[str], *, column: str = "value"
) -> Worksheet:
    """The sheet of a mart `(id, <column>)` whose `<column>` (of type `type_sql`) holds the SQL
    values `values_sql`, `id` their order, as openpyxl reads the exported workbook."""
    rows = ", ".join(f"({index}, {value})" for index, value in enumerate(values_sql))
    with duckdb.connect(str(tmp_path / "published.duckdb")) as connection:
        # Timestamps with a time zone are written in the connection's.
        connection.execute("set TimeZone = 'Asia/Shanghai'")
        connection.execute("create schema marts")
        connection.execute(
            f"create table marts.typed as select id, v::{type_sql} as {column} "
            f"from (values {rows}) t(id, v)"
        )
        export(connection, tmp_path / "out")
    return openpyxl.load_workbook(tmp_path / "out" / WORKBOOK_NAME)["typed"]


def column_values(sheet: Worksheet, count: int) -> list[Any]:
    """The second column's values of rows 2 to `count` + 1 (None where there is no cell)."""
    return [sheet.cell(row, 2).value for row in range(2, count + 2)]


@pytest.mark.parametrize(
    ("type_sql", "values_sql", "expected"),
    [
        ("double", ["1.25", "0.1::double + 0.2::double", "-2.5e-7", "1e20", "1.79769e308"],
         [1.25, 0.1 + 0.2, -2.5e-7, 1e20, 1.79769e308]),
        ("double", ["5e-324", "-0.0", "'nan'", "'inf'", "'-inf'", "null"],
         [5e-324, 0.0, None, None, None, None]),
        ("float", ["0.5", "0.1"], [0.5, FLOAT_TENTH]),
        ("decimal(38, 10)", ["1.25", "1234567.125"], [1.25, float(Decimal("1234567.125"))]),
        ("tinyint", ["-128", "127"], [-128, 127]),
        ("integer", ["2024", "0", "-7"], [2024, 0, -7]),
        ("bigint", ["9007199254740993"], [9007199254740993]),
        ("ubigint", ["18446744073709551615"], [18446744073709551615]),
        ("hugeint", ["(2::hugeint) ** 100"], [float(2**100)]),
        ("boolean", ["true", "false", "null"], [True, False, None]),
    ],
)  # fmt: skip
def test_numbers_and_booleans_read_back_as_the_values(
    tmp_path: Path, type_sql: str, values_sql: list[str], expected: list[Any]
) -> None:
    values = column_values(export_values(tmp_path, type_sql, values_sql), len(values_sql))
    assert values == expected
    # Excel keeps doubles: integers read back as int, as they were written, but wider than
    # 53 bits only as near as a double comes (openpyxl reads the digits exactly).
    assert [type(value) for value in values] == [type(value) for value in expected]


def test_score_points_show_two_decimals_and_keep_their_digits(tmp_path: Path) -> None:
    sheet = export_values(tmp_path, "double", ["100 / 3", "'nan'"], column="score")
    assert sheet.cell(2, 2).value == 100 / 3
    assert sheet.cell(2, 2).number_format == SCORE_FORMAT
    assert sheet.cell(3, 2).value is None
    assert sheet.cell(2, 1).number_format == "General"


@pytest.mark.parametrize(
    ("type_sql", "values_sql", "expected", "number_format"),
    [
        ("date", ["'2024-02-29'", "'1900-01-01'", "'1900-02-28'", "'1900-03-01'", "'infinity'"],
         [datetime(2024, 2, 29), datetime(1900, 1, 1), datetime(1900, 2, 28),
          datetime(1900, 3, 1), None], DATE_FORMAT),
        ("timestamp", ["'2024-01-02 03:04:05.678'", "'1999-12-31 23:59:59'", "'-infinity'"],
         [datetime(2024, 1, 2, 3, 4, 5, 678000), datetime(1999, 12, 31, 23, 59, 59), None],
         DATETIME_FORMAT),
        ("timestamp_ns", ["'2024-01-02 03:04:05.25'"], [datetime(2024, 1, 2, 3, 4, 5, 250000)],
         DATETIME_FORMAT),
        ("timestamp_s", ["'2024-01-02 03:04:05'"], [datetime(2024, 1, 2, 3, 4, 5)],
         DATETIME_FORMAT),
        # As the connection's local time (Asia/Shanghai, UTC+8): Excel has no time zones.
        ("timestamptz", ["'2024-01-01 04:00:00+00'"], [datetime(2024, 1, 1, 12)],
         DATETIME_FORMAT),
        ("time", ["'12:34:56'", "'00:00:00'", "'00:00:01'"],
         [time(12, 34, 56), time(0), time(0, 0, 1)], TIME_FORMAT),
        ("timetz", ["'12:00:00+08'"], [time(12)], TIME_FORMAT),
        ("interval", ["interval '1 day 2 hours'", "interval '90 seconds'"],
         [timedelta(days=1, hours=2), timedelta(seconds=90)], DURATION_FORMAT),
    ],
)  # fmt: skip
def test_dates_and_times_read_back_as_dates_and_times(
    tmp_path: Path, type_sql: str, values_sql: list[str], expected: list[Any], number_format: str
) -> None:
    sheet = export_values(tmp_path, type_sql, values_sql)
    assert column_values(sheet, len(values_sql)) == expected
    for row, value in enumerate(expected, start=2):
        if value is not None:
            assert sheet.cell(row, 2).number_format == number_format


TEXTS = {
    "'plain'": "plain",
    "'  spaced at both ends  '": "  spaced at both ends  ",
    """'a & b < c > d " '' e'""": "a & b < c > d \" ' e",
    "'crlf' || chr(13) || chr(10) || 'tab' || chr(9) || 'cr' || chr(13)": "crlf\r\ntab\tcr\r",
    "'nul' || chr(1) || 'ctl' || chr(31) || chr(65534)": "nulctl",
    "chr(1) || ' left with a space'": " left with a space",
    "'内蒙古自治区 ＰＵＥ'": "内蒙古自治区 ＰＵＥ",
    "'😀 emoji'": "😀 emoji",
    "'</t></is></c>'": "</t></is></c>",
    "''": "",
    "repeat('长', 40000)": "长" * MAX_CHARACTERS,
}


def test_text_reads_back_without_what_xml_cannot_carry(tmp_path: Path) -> None:
    sheet = export_values(tmp_path, "varchar", [*TEXTS, "null"])
    assert column_values(sheet, len(TEXTS) + 1) == [*TEXTS.values(), None]


def test_excel_reads_back_text_that_looks_like_its_escape_of_a_character(tmp_path: Path) -> None:
    values = ["'_x0041_ and _x000D_'", "'_x41_'", "'a & b' || chr(13) || chr(10)"]
    export_values(tmp_path, "varchar", values)
    with zipfile.ZipFile(tmp_path / "out" / WORKBOOK_NAME) as workbook:
        sheet = ElementTree.fromstring(workbook.read("xl/worksheets/sheet2.xml"))
    texts = [element.text for element in sheet.iter(f"{MAIN}t")]
    # openpyxl reads the XML's text and leaves Excel's escapes as they are...
    assert texts == ["_x005F_x0041_ and _x005F_x000D_", "_x41_", "a & b\r\n"]
    # ...calamine, like Excel, reads `_x005F_` as an underscore.
    calamine = CalamineWorkbook.from_path(tmp_path / "out" / WORKBOOK_NAME)
    rows = calamine.get_sheet_by_name("typed").to_python()
    assert [row[1] for row in rows[1:]] == ["_x0041_ and _x000D_", "_x41_", "a & b\r\n"]


def test_only_text_with_whitespace_at_an_end_is_marked_to_keep_it(tmp_path: Path) -> None:
    values = ["'kept '", "chr(12288) || 'ideographic space'", "'in the middle'", "chr(1) || 'x'"]
    export_values(tmp_path, "varchar", values)
    with zipfile.ZipFile(tmp_path / "out" / WORKBOOK_NAME) as workbook:
        sheet = ElementTree.fromstring(workbook.read("xl/worksheets/sheet2.xml"))
    data = [row.find(f"{MAIN}c[2]/{MAIN}is/{MAIN}t") for row in sheet.iter(f"{MAIN}row")][1:]
    texts = [element.text for element in data]
    assert texts == ["kept ", "\u3000ideographic space", "in the middle", "x"]
    # The removed character might have left whitespace at the start: marked too, harmlessly.
    assert [element.get(XML_SPACE) for element in data] == [
        "preserve",
        "preserve",
        None,
        "preserve",
    ]


@pytest.mark.parametrize(
    ("type_sql", "values_sql", "expected"),
    [
        ("integer[]", ["[1, 2]", "[]"], ["[1,2]", "[]"]),
        ("varchar[]", ["['a\"b', '中']"], ['["a\\"b","中"]']),
        ("struct(a varchar, b double)", ["{'a': 'x', 'b': 1.5}"], ['{"a":"x","b":1.5}']),
        ("map(varchar, integer)", ["map {'k': 1}"], ['{"k":1}']),
        ("uuid", ["'4a5b4d0e-2f37-4a68-8c50-7d2cc1e5a6b0'"],
         ["4a5b4d0e-2f37-4a68-8c50-7d2cc1e5a6b0"]),
        ("enum('low', 'high')", ["'high'"], ["high"]),
    ],
)  # fmt: skip
def test_other_types_read_back_as_text_and_nested_ones_as_json(
    tmp_path: Path, type_sql: str, values_sql: list[str], expected: list[str]
) -> None:
    assert column_values(export_values(tmp_path, type_sql, values_sql), len(values_sql)) == expected


def test_rows_without_a_value_have_no_cells_and_the_sheet_spans_every_row(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "published.duckdb")) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.sparse as select * from (values "
            "('a', 1.5::double), (null, 'nan'::double), ('c', null)) t(label, amount)"
        )
        export(connection, tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / WORKBOOK_NAME) as workbook:
        sheet = ElementTree.fromstring(workbook.read("xl/worksheets/sheet2.xml"))
    assert sheet.find(f"{MAIN}dimension").get("ref") == "A1:B4"
    # Sorted on every column, NULLs last: a, c, then the row with nothing Excel can hold.
    rows = {row.get("r"): [cell.get("r") for cell in row] for row in sheet.iter(f"{MAIN}row")}
    assert rows == {"1": ["A1", "B1"], "2": ["A2", "B2"], "3": ["A3"]}


def test_cell_plans_follow_the_columns_type_and_name() -> None:
    assert cell_plan("score", "double").num_format == SCORE_FORMAT
    assert cell_plan("local_weight", "double").num_format is None
    assert cell_plan("year", "integer").cell_type == "n"
    assert cell_plan("is_final", "boolean").cell_type == "b"
    assert cell_plan("published_at", "timestamp").num_format == DATETIME_FORMAT
    assert cell_plan("tags", "list").cell_type == "inlineStr"
    assert "to_json" in cell_plan("tags", "list").value


def test_sheet_ranges_and_column_widths() -> None:
    assert dimension(0, 1) == "A1"
    assert dimension(0, 3) == "A1:C1"
    assert dimension(31578, 17) == "A1:Q31579"
    assert column_width("年份", 0) == 8
    assert column_width("x", 100) == 60
    assert column_width("单元名称", 12) == 14


def test_rows_go_only_into_a_sheet_with_sheet_data() -> None:
    with pytest.raises(ValueError, match="sheetData"):
        splice_rows(b"<worksheet/>", "A1", [], None)  # type: ignore[arg-type]

"""Reading a record delivery: what is wrong with the file itself, said the way the agency can fix
it, and what a spreadsheet program's habits (trailing commas, blank lines, line breaks inside a
cell, a workbook under a .csv name) do not make wrong.

On the real `patents` source of dbt's manifest; the files are edits of its snapshot rows.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import duckdb
import pytest
from openpyxl import Workbook

from suanli.intake.catalog import source_specs
from suanli.intake.delivery import Delivery
from suanli.intake.errors import DeliveryError
from suanli.intake.readers import reader_for
from suanli.intake.records import MAX_PROBLEMS, Candidate, load_candidate
from suanli.settings import DBT_PROJECT_DIR

with (DBT_PROJECT_DIR / "target" / "manifest.json").open(encoding="utf-8") as _manifest:
    PATENTS = next(spec for spec in source_specs(json.load(_manifest)) if spec.name == "patents")
FILE = "patents.csv"
HEADER = ",".join(PATENTS.columns)
COLUMNS = ", ".join(PATENTS.columns)
SHAANXI = "CN202010010742.8,陕西省,2020-04-01,,N,synthetic,suanli demo generator v1"
HUNAN = "CN202010011566.X,湖南省,2020-04-01,2021-06-01,Y,synthetic,suanli demo generator v1"
GOOD = f"{HEADER}\n{SHAANXI}\n{HUNAN}\n"
SELECTED = "patent_id, applicant_province, grant_date, llm_related, _row_number, _line"


def load(content: str | bytes, connection: duckdb.DuckDBPyConnection | None = None) -> Candidate:
    data = content.encode() if isinstance(content, str) else content
    return load_candidate(connection or duckdb.connect(), PATENTS, FILE, data, year_now=2026)


def refusal(content: str | bytes) -> DeliveryError:
    with pytest.raises(DeliveryError) as raised:
        load(content)
    return raised.value


def rows(connection: duckdb.DuckDBPyConnection, candidate: Candidate) -> list[tuple]:
    return connection.execute(
        f"select {SELECTED} from {candidate.table} order by _row_number"
    ).fetchall()


def problem_lines(candidate: Candidate) -> list[str]:
    return [str(problem) for problem in candidate.problems]


# ----------------------------------------------------------------------------- the file


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_another_delimiter_is_named(delimiter: str, name: str) -> None:
    text = GOOD.replace(",", delimiter)
    header = HEADER.replace(",", delimiter)
    assert str(refusal(text)) == (
        f'{FILE}: row 1: value "{header[:80]}…" — expected fields separated by commas (,); '
        f"this file separates them with {name} ({delimiter!r}): save it as CSV with commas "
        "(wrong delimiter)"
    )


@pytest.mark.parametrize(
    ("start", "why"),
    [
        (b"\xef\xbb\xbf" + f"{HEADER}\n{SHAANXI}\n".encode(), "a UTF-8 byte-order mark"),
        (f"{HEADER}\n{SHAANXI}\n".encode(), "UTF-8 text on earlier lines"),
    ],
    ids=["bom", "utf-8-text"],
)
def test_a_file_that_starts_as_utf8_and_goes_on_in_gbk_names_the_line(
    start: bytes, why: str
) -> None:
    """Rows pasted in from a GBK file: not read as mojibake, and not guessed at."""
    error = refusal(start + HUNAN.encode("gbk") + b"\n")
    assert str(error) == (
        f"{FILE}: line 3 — expected one encoding for the whole file: it starts with {why}, "
        "but line 3 is not UTF-8 (GBK?); save the whole file as UTF-8 (mixed encoding)"
    )


def test_a_workbook_saved_under_a_csv_name_is_read_as_a_workbook() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(PATENTS.columns))
    sheet.append(["CN202010010742.8", "陕西省", dt.datetime(2020, 4, 1), None, "N",
                  "synthetic", "suanli demo generator v1"])  # fmt: skip
    sheet.append([])  # a blank sheet row still counts
    sheet.append(HUNAN.split(","))
    content = io.BytesIO()
    workbook.save(content)
    connection = duckdb.connect()

    candidate = load(content.getvalue(), connection)

    assert (candidate.encoding, candidate.rows, candidate.problems) == ("xlsx", 2, [])
    assert connection.execute(
        f"select filing_date, {SELECTED} from {candidate.table} order by _row_number"
    ).fetchall() == [
        (dt.date(2020, 4, 1), "CN202010010742.8", "610000", None, False, 2, 2),
        (dt.date(2020, 4, 1), "CN202010011566.X", "430000", dt.date(2021, 6, 1), True, 4, 4),
    ]


def test_a_workbook_cell_beyond_the_declared_columns_is_named_too() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(PATENTS.columns))
    sheet.append([*HUNAN.split(","), None, None, None, "备注"])  # in column K, field 11
    content = io.BytesIO()
    workbook.save(content)
    with pytest.raises(DeliveryError) as raised:
        load(content.getvalue())
    assert str(raised.value) == (
        f'{FILE}: row 2, column "(field 11)": value "备注" — expected 7 fields ({COLUMNS}); '
        "field 11 is extra (extra field)"
    )


def test_excel_trailing_empty_fields_are_tolerated() -> None:
    connection = duckdb.connect()
    candidate = load(f"{HEADER},,\n{SHAANXI},,\n{HUNAN},,\n", connection)
    assert candidate.problems == []
    assert rows(connection, candidate) == [
        ("CN202010010742.8", "610000", None, False, 2, 2),
        ("CN202010011566.X", "430000", dt.date(2021, 6, 1), True, 3, 3),
    ]


def test_an_extra_field_is_named_with_its_position() -> None:
    assert str(refusal(f"{HEADER}\n{SHAANXI}\n{HUNAN},,备注\n")) == (
        f'{FILE}: row 3, column "(field 9)": value "备注" — expected 7 fields ({COLUMNS}); '
        "field 9 is extra (extra field)"
    )


def test_a_row_with_many_extra_fields_names_the_first() -> None:
    assert str(refusal(f"{HEADER}\n{SHAANXI}\n{HUNAN},a,b,c\n")) == (
        f'{FILE}: row 3, column "(field 8)": value "a" — expected 7 fields ({COLUMNS}); '
        "field 8 is extra (extra field)"
    )


def test_a_field_over_the_limit_is_refused_with_its_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUANLI_MAX_CELL_CHARS", "30")
    long = SHAANXI.replace("suanli demo generator v1", "长" * 31)
    assert str(refusal(f"{HEADER}\n{long}\n")) == (
        f'{FILE}: row 2, column "provenance_source": value "31 characters" — expected at most '
        "30 characters in a cell (SUANLI_MAX_CELL_CHARS) (field too long)"
    )


def test_a_200000_character_field_is_accepted_under_the_default_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUANLI_MAX_CELL_CHARS", raising=False)
    connection = duckdb.connect()
    long = SHAANXI.replace("suanli demo generator v1", "x" * 200_000)
    candidate = load(f"{HEADER}\n{long}\n", connection)
    assert candidate.problems == []
    assert connection.execute(
        f"select length(provenance_source) from {candidate.table}"
    ).fetchall() == [(200_000,)]


# ------------------------------------------------------------------------- the rows


def test_blank_lines_count_as_rows() -> None:
    connection = duckdb.connect()
    candidate = load(f"{HEADER}\n\n{SHAANXI}\n\n\n{HUNAN.replace('湖南省', '湖南x')}\n", connection)
    assert problem_lines(candidate) == [
        f'{FILE}: row 6, column "applicant_province": value "湖南x" — expected a province name '
        "or GB/T 2260 code (unknown region)"
    ]
    assert [row[-2:] for row in rows(connection, candidate)] == [(3, 3), (6, 6)]


def test_a_quoted_line_break_makes_the_spreadsheet_row_and_the_editor_line_differ() -> None:
    """A cell with a line break is one spreadsheet row but two lines in a text editor."""
    connection = duckdb.connect()
    two_lines = SHAANXI.replace("suanli demo generator v1", '"两行\n说明"')
    text = f"{HEADER}\n{two_lines}\n{HUNAN.replace('湖南省', '湖南x')}\n"
    candidate = load(text, connection)
    assert problem_lines(candidate) == [
        f'{FILE}: row 3 (line 4 in a text editor), column "applicant_province": value "湖南x" '
        "— expected a province name or GB/T 2260 code (unknown region)"
    ]
    assert [row[-2:] for row in rows(connection, candidate)] == [(2, 2), (3, 4)]
    assert connection.execute(
        f"select provenance_source from {candidate.table} where _row_number = 2"
    ).fetchall() == [("两行\n说明",)]


def test_a_truncated_row_after_a_quoted_line_break_names_both() -> None:
    two_lines = SHAANXI.replace("suanli demo generator v1", '"两行\n说明"')
    assert str(refusal(f"{HEADER}\n{two_lines}\nCN1,湖南省\n")) == (
        f'{FILE}: row 3 (line 4 in a text editor): value "CN1,湖南省" — expected 7 fields '
        f"({COLUMNS}), found fewer (truncated file)"
    )


def test_a_line_is_counted_the_same_way_whether_or_not_a_later_cell_breaks_a_line() -> None:
    """A carriage return inside a quoted cell: the row's editor line must not depend on
    whether some other cell of the file holds a line feed."""
    carriage_return = SHAANXI.replace("suanli demo generator v1", '"a\rb"')
    line_feed = SHAANXI.replace("suanli demo generator v1", '"x\ny"')
    bad = HUNAN.replace("湖南省", "湖南x")
    alone = load(f"{HEADER}\n{carriage_return}\n{bad}\n").problems
    with_line_feed_after = load(f"{HEADER}\n{carriage_return}\n{bad}\n{line_feed}\n").problems
    assert [(p.row, p.line) for p in with_line_feed_after] == [(p.row, p.line) for p in alone]


def test_no_cell_text_is_taken_for_a_field_that_is_not_there() -> None:
    """Intake reads a field that is not there as null; no text a cell can hold may read so."""
    connection = duckdb.connect()
    control = SHAANXI.replace("suanli demo generator v1", "\x01\x02")
    candidate = load(f"{HEADER}\n{control}\n", connection)
    assert candidate.problems == []
    assert connection.execute(f"select provenance_source from {candidate.table}").fetchall() == [
        ("\x01\x02",)
    ]


def test_problems_beyond_the_first_thousand_are_counted() -> None:
    count = 1200
    text = HEADER + "\n" + f"{SHAANXI.replace(',N,', ',maybe,')}\n" * count
    candidate = load(text)
    error = candidate.error()

    assert (len(candidate.problems), candidate.problem_count) == (MAX_PROBLEMS, count)
    assert error is not None and error.total == count
    lines = str(error).splitlines()
    assert lines[0] == (
        f'{FILE}: row 2, column "llm_related": value "maybe" — expected Y or N (not a flag)'
    )
    assert lines[10:] == [f"… and {count - 10} more"]
    with pytest.raises(DeliveryError) as raised:
        reader_for(PATENTS)(duckdb.connect(), Delivery(PATENTS.name, None, FILE, text.encode()))
    assert raised.value.total == count


def test_structural_problems_beyond_the_first_thousand_are_counted() -> None:
    count = 1500
    error = refusal(HEADER + "\n" + "CN1,湖南省\n" * count)
    assert (len(error.problems), error.total) == (MAX_PROBLEMS, count)
    assert str(error).splitlines()[10:] == [f"… and {count - 10} more"]


def test_a_dropped_candidate_leaves_no_temporary_table_behind() -> None:
    connection = duckdb.connect()
    candidate = load(GOOD.replace("陕西省", "陕西x"), connection)
    assert candidate.problems
    candidate.drop(connection)
    assert connection.execute("select table_name from information_schema.tables").fetchall() == []

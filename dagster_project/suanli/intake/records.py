"""Intake of a record delivery: read the file into DuckDB, type every cell, name every problem.

The work is DuckDB's, not a Python loop's: the CSV is scanned by DuckDB's reader, cells of the
common shapes are typed by SQL fast paths, and only the distinct texts outside them (thousands
separators, full-width digits, no-data markers, names) go through `contract.parse_cell`, the
one definition of a cell's meaning. A property test holds the two to the same answers.

Rows are numbered as a spreadsheet shows them (header = row 1, blank lines count, a record
with a quoted line break is one row); where that differs from the line a text editor shows,
messages give both.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import sys
import tempfile
import uuid
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from suanli.intake.catalog import ColumnSpec, SourceSpec
from suanli.intake.contract import (
    DUCKDB_TYPES,
    FIRST_YEAR,
    REGION_KINDS,
    CellContext,
    bounds,
    expected,
    parse_cell,
)
from suanli.intake.errors import (
    EMPTY_FILE,
    EXTRA_FIELD,
    FIELD_TOO_LONG,
    INTAKE_ERROR,
    MIXED_ENCODING,
    NEGATIVE_COUNT,
    OUT_OF_RANGE,
    SCHEMA_CHANGE,
    TRUNCATED_FILE,
    UNREADABLE_ENCODING,
    WRONG_DELIMITER,
    YEAR_OUT_OF_RANGE,
    DeliveryError,
    Problem,
)
from suanli.intake.parsers.table import XLS_MAGIC, XLSX_MAGIC, read_rows
from suanli.intake.regions import RegionResolver, default_resolver
from suanli.settings import intake_memory_limit, max_cell_chars

# Problems kept in detail; beyond them only the count (a million bad cells need no list).
MAX_PROBLEMS = 1000
# Fields read beyond the header's (Excel's trailing empty ones included), so that a row with
# an extra field is named; a row with more still is found by a slower exact scan.
SPARE_FIELDS = 2
BOM = b"\xef\xbb\xbf"
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_CHUNK = 1 << 20

# Python's str.strip() whitespace: a text cell starting or ending with none of these is its
# own stripped value, so the SQL fast path may keep it as it is.
_WS = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}"
)
FAST_PATTERNS = {
    "text": rf"(?s)[^{_WS}](.*[^{_WS}])?",
    "code": r"[A-Za-z0-9_.:/#-]+",
    "number": r"-?[0-9]{1,15}(\.[0-9]{1,15})?|-?[0-9]{1,3}(,[0-9]{3}){1,4}(\.[0-9]{1,15})?",
    "count": r"[0-9]{1,18}",
    "year": r"[0-9]{4}",
    "date": r"[12][0-9]{3}-[0-9]{2}-[0-9]{2}",
}
FAST_PATTERNS["percent"] = FAST_PATTERNS["ratio"] = FAST_PATTERNS["number"]


@dataclass
class Candidate:
    """A delivery read and typed into a temporary table of the connection, with its problems."""

    table: str
    rows: int
    encoding: str
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    backing_tables: list[str] = field(default_factory=list)
    # Files the candidate's view reads (a telemetry file written out for DuckDB to scan).
    backing_files: list[Path] = field(default_factory=list)
    # What is worth telling but not refusing (hours without a meter reading).
    notes: list[Problem] = field(default_factory=list)

    def drop(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Free the temporary tables (and files) once the rows are stored (or refused)."""
        if self.table and self.table not in self.backing_tables:
            connection.execute(f"drop view if exists {self.table}")
        for table in self.backing_tables:
            connection.execute(f"drop table if exists {table}")
        for path in self.backing_files:
            path.unlink(missing_ok=True)

    def error(self) -> DeliveryError | None:
        if not self.problems:
            return None
        return DeliveryError(self.problems, total=self.problem_count)


@contextmanager
def memory_limit(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's memory limit for the duration of intake, then as it was."""
    limit = intake_memory_limit()
    (previous,) = connection.execute("select current_setting('memory_limit')").fetchall()[0]
    connection.execute(f"set memory_limit = {_literal(limit)}")
    try:
        yield
    finally:
        connection.execute(f"set memory_limit = {_literal(previous)}")


def raw_columns(spec: SourceSpec) -> list[tuple[str, str]]:
    """The typed layout of `raw.<source>` (without the delivery id and row number)."""
    columns = []
    for column in spec.column_specs:
        columns.append((column.name, DUCKDB_TYPES[column.kind]))
        if column.kind in REGION_KINDS:
            columns.append((f"{column.name}_as_delivered", "VARCHAR"))
    return columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str | None) -> str:
    return "null" if text is None else "'" + text.replace("'", "''") + "'"


def _strip(sql: str) -> str:
    """Python's str.strip() in SQL: DuckDB's trim() removes spaces only."""
    return f"regexp_replace({sql}, '^[{_WS}]+|[{_WS}]+$', '', 'g')"


def _fail(kind: str, file_name: str, expected_text: str, **where) -> DeliveryError:
    problem = Problem(
        kind, file_name, where.get("row"), where.get("column"), where.get("value"),
        expected_text, line=where.get("line"),
    )  # fmt: skip
    return DeliveryError([problem])


# --------------------------------------------------------------------------- bytes to UTF-8


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def utf8_content(content: bytes, file_name: str) -> tuple[bytes, str]:
    """The delivery as UTF-8 bytes without BOM, and the encoding it came in.

    UTF-8 is checked in chunks (no second copy as text); GB18030 (a superset of GBK) is the
    only other encoding accepted. A file that starts as UTF-8 (a BOM, or UTF-8 characters) and
    then is not is named with the first line that breaks, not read as mojibake."""
    has_bom = content.startswith(BOM)
    body = content[len(BOM) :] if has_bom else content
    if b"\x00" in body[:_CHUNK]:  # UTF-16 or binary: no text of ours holds NUL bytes
        raise _fail(
            UNREADABLE_ENCODING, file_name,
            "text in UTF-8 (with or without BOM) or GB18030/GBK, not UTF-16 or binary data",
        )  # fmt: skip
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(body), _CHUNK):
            decoder.decode(body[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        offset = start + error.start
        line = _line_of(body, offset)
        prefix_is_utf8 = not body[:offset].isascii()
        if has_bom or prefix_is_utf8:
            why = "a UTF-8 byte-order mark" if has_bom else "UTF-8 text on earlier lines"
            raise _fail(
                MIXED_ENCODING, file_name,
                f"one encoding for the whole file: it starts with {why}, but line {line} is "
                "not UTF-8 (GBK?); save the whole file as UTF-8",
                row=None, line=line,
            ) from None  # fmt: skip
        try:
            text = body.decode("gb18030")
        except UnicodeDecodeError:
            raise _fail(
                UNREADABLE_ENCODING, file_name,
                "text in UTF-8 (with or without BOM) or GB18030/GBK, or an .xlsx/.xls workbook",
            ) from None  # fmt: skip
        return text.encode("utf-8"), "gb18030"
    return body, "utf-8-sig" if has_bom else "utf-8"


# ------------------------------------------------------------------------------- the header


def _first_record(content: bytes) -> list[str]:
    """The header's cells (its first line)."""
    end = content.find(b"\n")
    head = content if end < 0 else content[: end + 1]
    text = head.decode("utf-8", errors="replace")
    cells = next(csv.reader(io.StringIO(text, newline="")), [])
    return [cell.strip() for cell in cells]


def header_problems(file_name: str, spec: SourceSpec, header: list[str]) -> list[Problem]:
    """Why a header is not the source's: another delimiter, or columns missing, extra, moved."""
    declared = list(spec.columns)
    while header and not header[-1]:
        header = header[:-1]  # Excel's trailing empty columns
    if header == declared:
        return []
    joined = ",".join(header)
    for delimiter, name in OTHER_DELIMITERS.items():
        cells = [cell.strip() for cell in joined.split(delimiter)]
        if len(cells) > 1 and len(set(cells) & set(declared)) >= max(2, len(declared) // 2):
            return [
                Problem(
                    WRONG_DELIMITER, file_name, 1, None,
                    joined[:80] + ("…" if len(joined) > 80 else ""),
                    f"fields separated by commas (,); this file separates them with {name} "
                    f"({delimiter!r}): save it as CSV with commas",
                )
            ]  # fmt: skip
    expected_text = f"the columns of source {spec.name!r}, in order: {', '.join(declared)}"
    problems = [
        Problem(SCHEMA_CHANGE, file_name, 1, column, None, f"{expected_text} (column missing)")
        for column in declared
        if column not in header
    ] + [
        Problem(
            SCHEMA_CHANGE, file_name, 1, column or f"(field {position})", column,
            f"{expected_text} (column not declared)",
        )
        for position, column in enumerate(header, start=1)
        if column not in declared
    ]  # fmt: skip
    return problems or [
        Problem(SCHEMA_CHANGE, file_name, 1, None, joined, f"{expected_text} (order changed)")
    ]


# ---------------------------------------------------------------------------- the landing


@contextmanager
def _utf8_file(content: bytes) -> Iterator[Path]:
    descriptor, name = tempfile.mkstemp(prefix="suanli-intake-", suffix=".csv")
    try:
        with open(descriptor, "wb") as handle:
            handle.write(content)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _lines(content: bytes) -> Iterator[str]:
    """The file's lines split at line feeds only, as the fast path counts them (a lone
    carriage return inside a quoted cell is no new line)."""
    start = 0
    while start < len(content):
        end = content.find(b"\n", start)
        end = len(content) if end < 0 else end + 1
        yield content[start:end].decode("utf-8")
        start = end


def field_count(content: bytes) -> int:
    """The most fields any record has (a slow pass, for files DuckDB cannot pad)."""
    csv.field_size_limit(sys.maxsize)
    return max((len(cells) for cells in csv.reader(_lines(content))), default=0)


def _exact_positions(content: bytes, count: int) -> tuple[array, array]:
    """Spreadsheet row and editor line of each non-blank record after the header, by a
    Python pass: only for files with blank lines or quoted line breaks."""
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(_lines(content))
    rows, lines = array("q"), array("q")
    line = 1
    for row, cells in enumerate(reader, start=1):
        if row > 1 and cells:
            rows.append(row)
            lines.append(line)
        line = reader.line_num + 1
    if len(rows) != count:
        raise RuntimeError(f"row numbering found {len(rows)} records, DuckDB read {count}")
    return rows, lines


def _land_csv(
    connection: duckdb.DuckDBPyConnection, table: str, path: Path, content: bytes, width: int,
    spares: int, fast: str,
) -> None:  # fmt: skip
    """Every record after the header as text fields f0 … (spares beyond the header) beside
    the fast path's columns (`fast`, computed in the same scan), in file order, with
    `_row_number` (spreadsheet row) and `_line` (editor line)."""
    names = [f"f{i}" for i in range(width + spares)]
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + "}"
    limit = max(2_097_152, 4 * max_cell_chars() * max(width, 1))
    # parallel=false: file order is kept, and null padding works with quoted line breaks.
    # An empty field reads as '' and a field that is not there as NULL (null padding): the
    # null string is NUL, which intake refuses in any text before it gets here.
    connection.execute(
        f"""
        create temp table {table}__read as
        select *, {fast}, row_number() over () as _ordinal
        from read_csv({_literal(str(path))}, header = false, skip = 1, all_varchar = true,
            delim = ',', quote = '"', escape = '"', columns = {columns}, null_padding = true,
            auto_detect = false, parallel = false, nullstr = '\x00', max_line_size = {limit})
        """
    )
    count = connection.execute(f"select count(*) from {table}__read").fetchall()[0][0]
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)
    if lines == count + 1:  # one line per record: row = line = ordinal + 1
        connection.execute(
            f"create temp table {table} as select * exclude (_ordinal), "
            f"_ordinal + 1 as _row_number, _ordinal + 1 as _line from {table}__read"
        )
    else:
        rows, editor_lines = _exact_positions(content, count)
        positions = pd.DataFrame({"_ordinal": range(1, count + 1), "_row_number": rows,
                                  "_line": editor_lines})  # fmt: skip
        connection.register(f"{table}__positions", positions)
        connection.execute(
            f"create temp table {table} as select r.* exclude (_ordinal), p._row_number, p._line "
            f"from {table}__read r join {table}__positions p using (_ordinal) order by _ordinal"
        )
        connection.unregister(f"{table}__positions")
    connection.execute(f"drop table {table}__read")


def _land_workbook(
    connection: duckdb.DuckDBPyConnection, table: str, content: bytes, file_name: str, width: int,
    spares: int, fast: str,
) -> tuple[list[str], int]:  # fmt: skip
    """A workbook delivered for a CSV source, read as its first sheet with data."""
    workbook = read_rows(content, file_name)
    header = [cell.strip() for cell in workbook.rows[0].cells]
    body = workbook.rows[1:]
    spares = max(spares, max((len(row.cells) for row in workbook.rows), default=0) - width)
    # A sheet has no short rows: a cell not there is empty, never missing.
    frame = pd.DataFrame(
        {
            f"f{i}": pd.array([row.cell(i) for row in body], dtype=object)
            for i in range(width + spares)
        }
    )
    frame["_row_number"] = [row.number for row in body]
    frame["_line"] = frame["_row_number"]
    connection.register(f"{table}__frame", frame)
    casts = ", ".join(f"cast(f{i} as varchar) as f{i}" for i in range(width + spares))
    connection.execute(
        f"create temp table {table} as select *, {fast} from (select {casts}, "
        f"_row_number::bigint as _row_number, _line::bigint as _line from {table}__frame)"
    )
    connection.unregister(f"{table}__frame")
    return header, spares


# ---------------------------------------------------------------------------------- typing


def _fast_sql(
    column: ColumnSpec, text: str, context: CellContext
) -> tuple[str, str, list[tuple[str, str]]]:
    """The SQL fast path for `text` (a field): (predicate, typed value, [(condition on
    `{v}`, problem kind)]) — bounds checked on the typed value."""
    kind = column.kind
    pattern = FAST_PATTERNS.get(kind)
    if pattern is None:
        return "false", "null", []
    predicate = f"regexp_full_match({text}, {_literal(pattern)})"
    if kind == "code":  # markers the pattern admits mean no data, as parse_cell says
        predicate += f" and lower({text}) not in ('-', '...', '/', 'na')"
    low, high = bounds(column)
    if kind in ("number", "percent", "ratio"):
        value = f"cast(replace({text}, ',', '') as double)"
    elif kind == "count":
        value = f"cast({text} as bigint)"
    elif kind == "year":
        value = f"cast({text} as integer)"
        low, high = FIRST_YEAR, context.year_now
        if context.partition_year is not None:
            low = high = context.partition_year
    elif kind == "date":
        predicate += f" and try_cast({text} as date) is not null"
        value = f"cast({text} as date)"
    else:  # text, code: the cell is its own value
        value = text
    checks = []
    if low is not None:
        problem = NEGATIVE_COUNT if kind == "count" and low == 0 else OUT_OF_RANGE
        checks.append((f"{{v}} < {low!r}", YEAR_OUT_OF_RANGE if kind == "year" else problem))
    if high is not None:
        checks.append((f"{{v}} > {high!r}", YEAR_OUT_OF_RANGE if kind == "year" else OUT_OF_RANGE))
    return predicate, value, checks


def _fast_expected(column: ColumnSpec, context: CellContext) -> str:
    """The expected text of a fast-path problem; equals `parse_cell`'s for the same cell."""
    return expected(column, context) if column.kind == "year" else expected(column)


def _map_table(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    column: ColumnSpec,
    texts: list[tuple],
    context: CellContext,
    regions: RegionResolver,
) -> str:
    """Distinct texts outside the fast path, each typed by `parse_cell`: (text[, province])
    → value, problem, expected."""
    name = f"{table}__map_{column.name}"
    rows = []
    for key in texts:
        text, province = (key[0], key[1]) if column.kind == "city" else (key[0], None)
        cell_context = CellContext(context.year_now, context.partition_year, province)
        parsed = parse_cell(column, text, cell_context, regions)
        value = parsed.value.isoformat() if isinstance(parsed.value, dt.date) else parsed.value
        rows.append((text, province, value, parsed.problem, parsed.expected))
    frame = pd.DataFrame(
        {
            "text": pd.array([r[0] for r in rows], dtype=object),
            "province": pd.array([r[1] for r in rows], dtype=object),
            "value": pd.array([None if r[2] is None else str(r[2]) for r in rows], dtype=object),
            "problem": pd.array([r[3] for r in rows], dtype=object),
            "expected": pd.array([r[4] for r in rows], dtype=object),
        }
    )
    connection.register(f"{name}__frame", frame)
    connection.execute(
        f"create temp table {name} as select cast(text as varchar) as text, "
        f"cast(province as varchar) as province, "
        f"cast(cast(value as varchar) as {DUCKDB_TYPES[column.kind]}) as value, "
        f"cast(problem as varchar) as problem, cast(expected as varchar) as expected "
        f"from {name}__frame"
    )
    connection.unregister(f"{name}__frame")
    return name


def _fast_select(columns: list[ColumnSpec], positions: dict[str, int], context: CellContext) -> str:
    """The fast path's flags, computed while reading: `fast<i>`, the pattern matched (each
    regular expression runs once per cell; the cast it allows is cheap and done later)."""
    selects = []
    for column in columns:
        i = positions[column.name]
        predicate, _, _ = _fast_sql(column, f"f{i}", context)
        selects.append(f"coalesce({predicate}, false) as fast{i}")
    return ", ".join(selects)


@dataclass
class _Typing:
    """Per column: the typed value, the problem kind and the expected text, as SQL over the
    landed table `s` and the map tables joined to it."""

    values: list[str] = field(default_factory=list)
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # position, …
    joins: list[str] = field(default_factory=list)


def _type_columns(
    connection: duckdb.DuckDBPyConnection,
    landed: str,
    typed: str,
    columns: list[ColumnSpec],
    positions: dict[str, int],
    context: CellContext,
    regions: RegionResolver,
    created: list[str],
) -> _Typing:
    """How each column is typed: the fast paths ran while reading (each regular expression
    once per cell); the distinct texts they leave are typed here by `parse_cell` — a city
    together with its row's province text — into small map tables joined by text."""
    typing = _Typing()
    for position, column in enumerate(columns):
        i = positions[column.name]
        q = _quote(column.name)
        if column.kind == "city":
            within = positions[column.within or "province"]
            distinct = connection.execute(
                f"select distinct f{i}, f{within} from {landed}"
            ).fetchall()
            name = _city_map(
                connection, typed, column, columns, positions, distinct, context, regions
            )
            created.append(name)
            typing.joins.append(
                f"left join {name} m{i} on m{i}.text is not distinct from s.f{i} "
                f"and m{i}.province_text is not distinct from s.f{within}"
            )
            typing.values.append(f"m{i}.value as {q}")
            typing.problems.append((position, f"m{i}.problem", f"m{i}.expected", f"s.f{i}"))
            continue
        _, cast, checks = _fast_sql(column, f"s.f{i}", context)
        distinct = connection.execute(
            f"select distinct f{i} from {landed} where not fast{i}"
        ).fetchall()
        if distinct:
            name = _map_table(connection, typed, column, distinct, context, regions)
            created.append(name)
            typing.joins.append(f"left join {name} m{i} on m{i}.text is not distinct from s.f{i}")
            slow = (f"m{i}.value", f"m{i}.problem", f"m{i}.expected")
        else:
            slow = ("null", "null", "null")
        fast_problem = "case " + " ".join(
            f"when {condition.format(v=cast)} then '{kind}'" for condition, kind in checks
        ) + " end" if checks else "null"  # fmt: skip
        fast_expected = _literal(_fast_expected(column, context)) if checks else "null"
        typing.values.append(
            f"case when s.fast{i} then (case when {fast_problem} is null then {cast} end) "
            f"else {slow[0]} end as {q}"
        )
        typing.problems.append((
            position,
            f"case when s.fast{i} then {fast_problem} else {slow[1]} end",
            f"case when s.fast{i} then (case when {fast_problem} is not null then "
            f"{fast_expected} end) else {slow[2]} end",
            f"s.f{i}",
        ))  # fmt: skip
    return typing


def _city_map(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    column: ColumnSpec,
    columns: list[ColumnSpec],
    positions: dict[str, int],
    pairs: list[tuple],
    context: CellContext,
    regions: RegionResolver,
) -> str:
    """(city text, province text) → the city typed within the province that text names."""
    province_column = next(c for c in columns if c.name == (column.within or "province"))
    provinces = {
        text: parse_cell(province_column, text, context, regions).value
        for text in {province for _, province in pairs}
    }
    keyed = list(dict.fromkeys((city, provinces[province]) for city, province in pairs))
    name = _map_table(connection, table, column, keyed, context, regions)
    # Join on the province as delivered, so the main scan needs no second pass.
    texts = pd.DataFrame(
        {
            "text": pd.array([city for city, _ in pairs], dtype=object),
            "province": pd.array([provinces[province] for _, province in pairs], dtype=object),
            "province_text": pd.array([province for _, province in pairs], dtype=object),
        }
    )
    connection.register(f"{name}__texts", texts)
    connection.execute(
        f"create temp table {name}__keyed as select m.text, t.province_text, m.value, "
        f"m.problem, m.expected from {name} m join {name}__texts t "
        f"on m.text is not distinct from t.text and m.province is not distinct from t.province"
    )
    connection.unregister(f"{name}__texts")
    connection.execute(f"drop table {name}")
    connection.execute(f"alter table {name}__keyed rename to {name}")
    return name


# ------------------------------------------------------------------------------- the whole


def _structure_problems(
    connection: duckdb.DuckDBPyConnection, landed: str, file_name: str, spec: SourceSpec,
    width: int, spares: int,
) -> tuple[list[Problem], int]:  # fmt: skip
    """Rows cut short, extra fields, over-long cells: vectorised, one problem per row."""
    last = f"f{width - 1}"
    spare_names = [f"f{i}" for i in range(width, width + spares)]
    extra_position = " ".join(
        f"when {name} is not null and {_strip(name)} <> '' then {i + 1}"
        for i, name in enumerate(spare_names, start=width)
    )
    extra_value = " ".join(
        f"when {name} is not null and {_strip(name)} <> '' then {name}" for name in spare_names
    )
    limit = max_cell_chars()
    too_long = " ".join(
        f"when length(f{i}) > {limit} then {i}" for i in range(width)
    )  # fmt: skip
    fields = ", ".join(f"f{i}" for i in range(width))
    rows = connection.execute(
        f"""
        select _row_number, _line, kind, position, value, count(*) over () as total
        from (
            select _row_number, _line,
                case when {last} is null then 'truncated'
                     when (case {extra_position} end) is not null then 'extra'
                     when (case {too_long} end) is not null then 'long' end as kind,
                coalesce(case {extra_position} end, case {too_long} end) as position,
                case when {last} is null then concat_ws(',', {fields})
                     else case {extra_value} end end as value
            from {landed}
        )
        where kind is not null
        order by _row_number
        limit {MAX_PROBLEMS}
        """
    ).fetchall()  # fmt: skip
    problems = []
    for row, line, kind, position, value, _ in rows:
        editor_line = line if line != row else None
        if kind == "truncated":
            expected_fields = f"{width} fields ({', '.join(spec.columns)}), found fewer"
            problems.append(
                Problem(TRUNCATED_FILE, file_name, row, None, value, expected_fields, editor_line)
            )
        elif kind == "extra":
            problems.append(Problem(
                EXTRA_FIELD, file_name, row, f"(field {position})", value,
                f"{width} fields ({', '.join(spec.columns)}); field {position} is extra",
                line=editor_line))  # fmt: skip
        else:
            column = spec.columns[position]
            length = connection.execute(
                f"select length(f{position}) from {landed} where _row_number = ?", [row]
            ).fetchall()[0][0]
            problems.append(Problem(
                FIELD_TOO_LONG, file_name, row, column, f"{length} characters",
                f"at most {limit} characters in a cell (SUANLI_MAX_CELL_CHARS)",
                line=editor_line))  # fmt: skip
    return problems, (rows[0][5] if rows else 0)


def load_candidate(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    file_name: str,
    content: bytes,
    partition_key: str | None = None,
    *,
    year_now: int | None = None,
    regions: RegionResolver | None = None,
) -> Candidate:
    """Read, structure-check and type a record delivery into a temporary table.

    Raises DeliveryError when the file cannot be read as the source's table at all (encoding,
    empty, header); returns the Candidate with every cell problem otherwise (none: usable)."""
    with memory_limit(connection):
        return _load_candidate(connection, spec, file_name, content, partition_key,
                               year_now=year_now, regions=regions)  # fmt: skip


def _load_candidate(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    file_name: str,
    content: bytes,
    partition_key: str | None,
    *,
    year_now: int | None,
    regions: RegionResolver | None,
) -> Candidate:
    regions = regions or default_resolver()
    token = uuid.uuid4().hex[:10]
    landed, typed = f"_landed_{token}", f"_candidate_{token}"
    width = len(spec.columns)
    context = CellContext(
        year_now=year_now or dt.date.today().year,
        partition_year=int(partition_key) if spec.partitioned_by_year and partition_key else None,
    )
    positions = {name: i for i, name in enumerate(spec.columns)}
    fast = _fast_select(list(spec.column_specs), positions, context)
    is_workbook = content.startswith((XLSX_MAGIC, XLS_MAGIC))
    if is_workbook:
        encoding = "xlsx" if content.startswith(XLSX_MAGIC) else "xls"
        header, spares = _land_workbook(
            connection, landed, content, file_name, width, SPARE_FIELDS, fast
        )
        if problems := header_problems(file_name, spec, header):
            raise DeliveryError(problems)
    else:
        if not content.strip():
            raise _fail(EMPTY_FILE, file_name, "a header row", row=1)
        text, encoding = utf8_content(content, file_name)
        header = _first_record(text)
        if not any(header):
            raise _fail(EMPTY_FILE, file_name, "a header row", row=1)
        if problems := header_problems(file_name, spec, header):
            raise DeliveryError(problems)
        spares = max(SPARE_FIELDS, len(header) - width + 1)
        with _utf8_file(text) as path:
            try:
                try:
                    _land_csv(connection, landed, path, text, width, spares, fast)
                except duckdb.InvalidInputException:
                    # More fields than the spares in some row: count them, read again.
                    connection.execute(f"drop table if exists {landed}__read")
                    spares = max(spares, field_count(text) - width + 1)
                    _land_csv(connection, landed, path, text, width, spares, fast)
            except (duckdb.Error, csv.Error) as error:
                raise _fail(
                    INTAKE_ERROR, file_name,
                    f"a CSV file DuckDB can read ({str(error).splitlines()[0]})",
                ) from error  # fmt: skip
    # Rows whose every field is blank count as rows but hold nothing.
    connection.execute(
        f"delete from {landed} where "
        + " and ".join(f"coalesce({_strip(f'f{i}')}, '') = ''" for i in range(width + spares))
    )
    if connection.execute(f"select count(*) from {landed}").fetchall()[0][0] == 0:
        raise _fail(EMPTY_FILE, file_name, "data rows after the header", row=2)
    structure, structure_count = _structure_problems(
        connection, landed, file_name, spec, width, spares
    )
    if structure:
        raise DeliveryError(structure, total=structure_count)

    maps: list[str] = []
    typing = _type_columns(
        connection, landed, typed, list(spec.column_specs), positions, context, regions, maps
    )
    problems, total = _cell_problems(connection, landed, typing, file_name, spec)
    values = {value.rsplit(" as ", 1)[1]: value for value in typing.values}
    layout = []
    for name, _ in raw_columns(spec):
        base = name.removesuffix("_as_delivered")
        if name.endswith("_as_delivered") and base in positions:
            layout.append(f"{_strip(f's.f{positions[base]}')} as {_quote(name)}")
        else:
            layout.append(values[_quote(name)])
    connection.execute(
        f"create temp table {typed} as select {', '.join(layout)}, s._row_number, s._line "
        f"from {landed} s {' '.join(typing.joins)}"
    )
    for table in [landed, *maps]:
        connection.execute(f"drop table if exists {table}")
    rows = connection.execute(f"select count(*) from {typed}").fetchall()[0][0]
    return Candidate(typed, rows, encoding, problems, total, [typed])


def _cell_problems(
    connection: duckdb.DuckDBPyConnection,
    landed: str,
    typing: _Typing,
    file_name: str,
    spec: SourceSpec,
) -> tuple[list[Problem], int]:
    """Every refused cell, in one scan: the first MAX_PROBLEMS in detail, and the count."""
    structs = ", ".join(
        f"{{'position': {position}, 'kind': {kind}, 'expected': {expected_sql}, 'value': {text}}}"
        for position, kind, expected_sql, text in typing.problems
    )
    any_problem = " or ".join(f"({kind}) is not null" for _, kind, _, _ in typing.problems)
    rows = connection.execute(
        f"""
        select _row_number, _line, p.position, p.kind, p.expected, p.value,
            count(*) over () as total
        from (
            select s._row_number, s._line,
                unnest(list_filter([{structs}], lambda x: x.kind is not null)) as p
            from {landed} s {" ".join(typing.joins)}
            where {any_problem}
        )
        order by _row_number, p.position
        limit {MAX_PROBLEMS}
        """
    ).fetchall()
    names = [column.name for column in spec.column_specs]
    problems = [
        Problem(kind, file_name, row, names[position], value or "", expected_text,
                line=line if line != row else None)
        for row, line, position, kind, expected_text, value, _ in rows
    ]  # fmt: skip
    return problems, (rows[0][-1] if rows else 0)

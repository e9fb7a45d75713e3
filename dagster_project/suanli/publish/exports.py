"""Exports of the marts for people without a SQL client: Parquet files and one Excel workbook.

`export_marts` writes every table and view of a DuckDB file's `marts` schema to
`<out_dir>/<mart>.parquet` (DuckDB's own `COPY … (FORMAT parquet)`, so types survive) and, but
for the row-level marts documented `meta: {workbook: false}` (`parquet_only`), to one sheet
each of `<out_dir>/suanli_marts.xlsx`, whose header row carries the Chinese column names
documented in dbt (`meta.name_zh` in models/marts/_marts.yml; the column name when there is
none). The workbook opens on a 说明 About sheet and orders its sheets as the dbt exposure
`suanli_marts_workbook` lists them; score points show two decimals (see
`suanli.publish.workbook_guide`). Rows are sorted on every column, so exporting the same marts
twice gives the same rows in the same order. Each file is written beside its destination and
renamed over it: a reader of the export directory sees the previous file or the new one, never
half of one.

Each mart is computed once, into a temporary table of the connection, for both files. The
workbook is written with XlsxWriter in constant-memory mode, one row at a time: header row frozen,
columns sized on their first rows, numbers, booleans, dates and times as Excel values (numbers
with 16 significant digits, as XlsxWriter writes them: Excel shows 15; the Parquet files are
exact), NaN and infinities as empty cells, text without the control characters XML cannot carry
(and cut at Excel's 32,767 characters), anything else (lists, structs, UUIDs, blobs) as text.

`exports_fingerprint` describes what the exports are made from (the published marts' content,
this code, DuckDB's and XlsxWriter's versions, the Chinese headers, the marts left out of the
workbook, the guide's order and descriptions): the asset keeps it in the
export directory's stamp (`suanli.publish.stamps`) and leaves the files as they are while it holds.

No Dagster here: the asset in `suanli.publish.exports_asset` only chooses where to read and write.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any

import duckdb
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

import suanli.data_note
from suanli.publish import workbook_guide
from suanli.publish.stamps import (
    code_digests,
    document_fingerprint,
    library_versions,
    marts_content,
)
from suanli.publish.workbook_guide import (
    SCORE_FORMAT,
    ColumnEntry,
    SheetEntry,
    WorkbookGuide,
    shows_two_decimals,
    write_about_sheet,
)
from suanli.settings import DBT_PROJECT_DIR

SCHEMA = "marts"
WORKBOOK_NAME = "suanli_marts.xlsx"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"

# Excel's hard limits: 31 characters per sheet name, 1,048,576 rows per sheet (one is the header).
SHEET_NAME_MAX = 31
EXCEL_MAX_DATA_ROWS = 1_048_575
# Characters Excel refuses in sheet names (and an apostrophe at either end).
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]|^'|'$")
# Control characters XML 1.0 cannot carry (tab, newline and carriage return it can): removed.
ILLEGAL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"  # for Python's re and DuckDB's RE2
ILLEGAL_CHARACTERS_RE = re.compile(ILLEGAL_CHARACTERS)
# Column widths in Excel's units (about one Latin character); CJK characters count twice.
MIN_WIDTH, MAX_WIDTH = 8, 60
# XlsxWriter adds Excel's cell padding (5 pixels of a 7-pixel character) to the width it is
# given, as Excel's column-width dialog does; taking it off leaves the widths above in the file.
XLSXWRITER_PADDING = 5 / 7
# Widths are measured on the first rows only: enough to be sensible without a second pass.
WIDTH_SAMPLE_ROWS = 2000
# Rows are fetched from DuckDB about this many cells at a time (the widths' sample at least).
FETCH_CELLS = 500_000
# What the files' bytes depend on besides the marts, the Chinese headers and this code.
LIBRARIES = ("duckdb", "xlsxwriter")
# `<node_code>_score` / `<node_code>_rank` columns of wide_index_scores are generated from the
# index definitions, so their Chinese headers are too (the node's name plus 得分 or 排名), and
# their meaning is the composite's column of the same suffix, on that node.
NODE_COLUMN_SUFFIXES = {"_score": "得分", "_rank": "排名"}
NODE_COLUMN_MODEL = "composite"

# DuckDB types (`DuckDBPyType.id`) written as Excel numbers, text, booleans or dates and times;
# columns of any other type go through `excel_value` cell by cell.
INTEGER_TYPES = frozenset(
    {"tinyint", "smallint", "integer", "bigint", "hugeint"}
    | {"utinyint", "usmallint", "uinteger", "ubigint", "uhugeint"}
)
FLOAT_TYPES = frozenset({"float", "double"})
NUMBER_TYPES = INTEGER_TYPES | FLOAT_TYPES | {"decimal"}
TEXT_TYPES = frozenset({"varchar", "enum"})
# Number formats of dates, times and durations (the ones openpyxl gave them before).
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd h:mm:ss"
TIME_FORMAT, DURATION_FORMAT = "h:mm:ss", "[hh]:mm:ss"
TEMPORAL_FORMATS = {
    "date": DATE_FORMAT,
    "timestamp": DATETIME_FORMAT,
    "timestamp_s": DATETIME_FORMAT,
    "timestamp_ms": DATETIME_FORMAT,
    "timestamp_ns": DATETIME_FORMAT,
    "timestamp with time zone": DATETIME_FORMAT,  # as local time: Excel has no time zones
    "time": TIME_FORMAT,
    "time with time zone": TIME_FORMAT,
    "interval": DURATION_FORMAT,
}
# Python types XlsxWriter writes as numbers, booleans or dates and times.
EXCEL_NATIVE = (bool, int, float, Decimal, date, time, timedelta)

ColumnNames = Mapping[str, Mapping[str, str]]
# `write(row, column, value, cell_format)`: a worksheet's write_number, write_string, ….
CellWriter = Callable[[int, int, Any, Format | None], Any]


def load_manifest(manifest_path: Path = MANIFEST_PATH) -> dict[str, Any]:
    """dbt's manifest, where the marts' documentation (headers, workbook or not) is read."""
    if not manifest_path.is_file():
        raise FileNotFoundError(
            f"dbt manifest not found at {manifest_path}: run `make manifest` (dbt parse) first"
        )
    return json.loads(manifest_path.read_text(encoding="utf-8"))


def column_names_zh(manifest: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """`{mart: {column: 中文列名}}` for the models in the `marts` schema of a dbt manifest."""
    names: dict[str, dict[str, str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("schema") != SCHEMA:
            continue
        names[node["name"]] = {
            column: str(properties["meta"]["name_zh"])
            for column, properties in node["columns"].items()
            if (properties.get("meta") or {}).get("name_zh")
        }
    return names


def parquet_only(manifest: Mapping[str, Any]) -> frozenset[str]:
    """Marts kept out of the workbook (`meta: {workbook: false}` in a dbt manifest): row-level
    tables such as lineage, which no one reads in a spreadsheet and which outgrow a sheet's
    1,048,576 rows."""
    return frozenset(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("meta", {}).get("workbook") is False
    )


def list_marts(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the `marts` schema, by name; `_`-prefixed bookkeeping excluded."""
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? "
        "order by table_name",
        [SCHEMA],
    ).fetchall()
    # E.g. `_publication` (when and from what the marts were published) is not a mart.
    return [name for (name,) in rows if not name.startswith("_")]


def row_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per mart, as exported."""
    return {
        mart: connection.execute(f"select count(*) from {SCHEMA}.{_quote(mart)}").fetchone()[0]
        for mart in list_marts(connection)
    }


def export_marts(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    column_names: ColumnNames | None = None,
    left_out: Iterable[str] | None = None,
    guide: WorkbookGuide | None = None,
) -> list[Path]:
    """Write every mart to `<out_dir>/<mart>.parquet` and, unless it is `left_out`, to a sheet
    of `suanli_marts.xlsx`, after its 说明 About sheet.

    `column_names` maps mart → column → Chinese header, `left_out` names the Parquet-only
    marts, `guide` orders the sheets and documents them; by default all three are read from
    the dbt manifest. Returns the files written: the Parquet files by mart name, then the
    workbook.
    """
    if column_names is None or left_out is None or guide is None:
        manifest = load_manifest()
        column_names = column_names_zh(manifest) if column_names is None else column_names
        left_out = parquet_only(manifest) if left_out is None else left_out
        guide = workbook_guide.workbook_guide(manifest) if guide is None else guide
    left_out = frozenset(left_out)
    out_dir.mkdir(parents=True, exist_ok=True)
    marts = list_marts(connection)
    if not marts:
        raise ValueError(f"no tables or views in schema {SCHEMA} of {current_file(connection)}")
    # Views are queries (wide_index_scores pivots every score): each mart is computed once,
    # into a temporary table of this connection that both files are read from.
    staged = {mart: _staged_table(index) for index, mart in enumerate(marts)}
    try:
        written = [_export_parquet(connection, mart, staged[mart], out_dir) for mart in marts]
        sheets = guide.ordered(mart for mart in marts if mart not in left_out)
        in_workbook = {mart: staged[mart] for mart in sheets}
        written.append(
            _export_workbook(connection, in_workbook, column_names, guide, out_dir / WORKBOOK_NAME)
        )
    finally:
        for table in staged.values():
            connection.execute(f"drop table if exists {table}")
    return written


# What a workbook of marts never published says it was created at (the zip format's epoch).
UNPUBLISHED = datetime(1980, 1, 1)


def publication(connection: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The latest `_publication` row (its deliveries counted), or None when never published."""
    try:
        cursor = connection.execute(
            f"select * from {SCHEMA}._publication order by published_at desc limit 1"
        )
    except duckdb.CatalogException:
        return None
    names = [column[0] for column in cursor.description]
    row = cursor.fetchone()
    if row is None:
        return None
    record = dict(zip(names, row, strict=True))
    try:
        record["deliveries"] = len(json.loads(record.get("deliveries") or "[]"))
    except (TypeError, ValueError):
        record["deliveries"] = None
    return record


def _published_at(record: Mapping[str, Any] | None) -> datetime:
    return (record or {}).get("published_at") or UNPUBLISHED


def inputs_fingerprint(
    *,
    marts_content: str,
    code: Mapping[str, str],
    libraries: Mapping[str, str],
    column_names: ColumnNames,
    left_out: Iterable[str] = (),
    guide: Mapping[str, Any] | None = None,
) -> str:
    """SHA-256 of the exports' inputs, from their descriptions alone (no I/O).

    `marts_content` identifies the marts' content (`suanli.publish.stamps.marts_content`), `code`
    maps each code file to its SHA-256, `libraries` maps distributions to versions, `column_names`
    are the workbook's Chinese headers (mart → column → header), `left_out` the marts that are
    Parquet only (not sheets), `guide` the sheets' order and documentation
    (`WorkbookGuide.document`). Equal inputs give equal
    fingerprints whatever the order of the mappings; any change gives another.
    """
    if not marts_content:
        raise ValueError("the marts' content is not identified: the exports cannot be skipped")
    return document_fingerprint(
        {
            "marts_content": marts_content,
            "code": dict(code),
            "libraries": dict(libraries),
            "column_names": {mart: dict(names) for mart, names in column_names.items()},
            "left_out": sorted(left_out),
            "guide": dict(guide or {}),
        }
    )


def exports_fingerprint(
    connection: duckdb.DuckDBPyConnection,
    column_names: ColumnNames,
    *,
    left_out: Iterable[str] = (),
    guide: WorkbookGuide | None = None,
    extra_code: Iterable[Path] = (),
) -> str:
    """The fingerprint of an export_marts of `connection` with these headers, Parquet-only
    marts and guide, here (this module's code, the guide's and the data note's, and whatever
    the caller adds)."""
    code = [Path(__file__), Path(workbook_guide.__file__), Path(suanli.data_note.__file__)]
    return inputs_fingerprint(
        marts_content=marts_content(connection),
        code=code_digests([*code, *extra_code]),
        libraries=library_versions(LIBRARIES),
        column_names=column_names,
        left_out=left_out,
        guide=(guide or WorkbookGuide()).document(),
    )


def current_file(connection: duckdb.DuckDBPyConnection) -> str:
    row = connection.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return str(row[0]) if row else "the database"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sorted_rows_sql(table: str) -> str:
    return f"select * from {table} order by all"


def _staged_table(index: int) -> str:
    return f"temp.main.{_quote(f'_suanli_export_{index}')}"


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _export_parquet(
    connection: duckdb.DuckDBPyConnection, mart: str, staged: str, out_dir: Path
) -> Path:
    connection.execute(
        f"create or replace temp table {staged} as select * from {SCHEMA}.{_quote(mart)}"
    )
    path = out_dir / f"{mart}.parquet"
    partial = _temporary(path)
    try:
        connection.execute(
            f"copy ({_sorted_rows_sql(staged)}) to {_literal(str(partial))} "
            "(format parquet, compression zstd)"
        )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def sheet_names(marts: Sequence[str]) -> dict[str, str]:
    """A valid, unique Excel sheet name per mart: forbidden characters replaced, ≤ 31 chars."""
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for mart in marts:
        base = SHEET_NAME_FORBIDDEN.sub("_", mart[:SHEET_NAME_MAX])
        name, counter = base, 1
        # Excel compares sheet names case-insensitively.
        while name.lower() in taken:
            counter += 1
            suffix = f"~{counter}"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.lower())
        chosen[mart] = name
    return chosen


def node_names_zh(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Chinese name of every node code, from the largest system that has it (as the wide view
    orders its columns); empty when the marts have no fct_index_weights."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database() "
        "and table_schema = ? and table_name = 'fct_index_weights'",
        [SCHEMA],
    ).fetchone()[0]
    if not exists:
        return {}
    rows = connection.execute(
        f"""
        with sizes as (
            select system_code, count(*) as n_nodes
            from {SCHEMA}.fct_index_weights
            group by system_code
        )
        select weights.node_code, weights.name_zh
        from {SCHEMA}.fct_index_weights as weights
        inner join sizes on weights.system_code = sizes.system_code
        order by sizes.n_nodes, weights.system_code desc
        """
    ).fetchall()
    # Later rows (larger systems) overwrite earlier ones.
    return dict(rows)


def headers_for(
    columns: Sequence[str], known: Mapping[str, str], nodes: Mapping[str, str]
) -> list[str]:
    """Chinese header per column: documented name, else a node's name + 得分/排名, else the
    column name; a header already used in the sheet gets its column name appended."""
    headers: list[str] = []
    for column in columns:
        header = known.get(column)
        if header is None:
            for suffix, label in NODE_COLUMN_SUFFIXES.items():
                node = column.removesuffix(suffix)
                if column.endswith(suffix) and node in nodes:
                    header = f"{nodes[node]}{label}"
                    break
        header = header or column
        if header in headers:
            header = f"{header} ({column})"
        headers.append(header)
    return headers


def meanings_for(
    columns: Sequence[str], documented: Mapping[str, tuple[str, str]], nodes: Mapping[str, str]
) -> list[tuple[str, str]]:
    """`(中文, English)` meaning per column: its dbt description, else for a node's generated
    `<node>_score` / `<node>_rank` column the composite's meaning on that node, else empty."""
    meanings = []
    for column in columns:
        meaning = documented.get(column, ("", ""))
        for suffix, label in NODE_COLUMN_SUFFIXES.items():
            node = column.removesuffix(suffix)
            if column not in documented and column.endswith(suffix) and node in nodes:
                model = f"{NODE_COLUMN_MODEL}{suffix}"
                meaning = (
                    f"节点“{nodes[node]}”（{node}）的{label}，含义同 {model}",
                    f"The {suffix[1:]} on node {node} ({nodes[node]}), as {model} is on the "
                    "composite.",
                )
                break
        meanings.append(meaning)
    return meanings


def display_width(value: Any) -> int:
    """Width of a value in Excel columns: East Asian wide characters take two."""
    text = "" if value is None else str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def column_widths(headers: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[int]:
    """Width of each column: its header's or its widest value's in `sample`, within bounds."""
    columns = list(zip(*sample, strict=True)) if sample else [() for _ in headers]
    widths = []
    for header, values in zip(headers, columns, strict=True):
        widest = max(map(display_width, values), default=0)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, display_width(header) + 2, widest + 2)))
    return widths


def excel_value(value: Any) -> Any:
    """A value XlsxWriter can store and Excel can open."""
    if isinstance(value, float) and not math.isfinite(value):
        return None  # Excel has no NaN or infinity; an empty cell says "no value"
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value is None or isinstance(value, EXCEL_NATIVE):
        return value
    return str(value)  # UUIDs, blobs, bit strings: as text


class _Formats:
    """The workbook's cell formats: one per use, shared by every cell that needs it."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self.header = workbook.add_format({"bold": True, "valign": "vcenter"})
        self._numbers: dict[str, Format] = {}

    def number(self, num_format: str) -> Format:
        if num_format not in self._numbers:
            self._numbers[num_format] = self._workbook.add_format({"num_format": num_format})
        return self._numbers[num_format]

    def temporal(self, value: date | time | timedelta) -> Format:
        """The format of a Python date, datetime, time or duration."""
        if isinstance(value, datetime):
            return self.number(DATETIME_FORMAT)
        if isinstance(value, date):
            return self.number(DATE_FORMAT)
        return self.number(TIME_FORMAT if isinstance(value, time) else DURATION_FORMAT)


def _write_value(sheet: Worksheet, formats: _Formats, row: int, column: int, value: Any) -> None:
    """Write a value of a column whose DuckDB type has no writer of its own (lists, UUIDs, …)."""
    value = excel_value(value)
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, value)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, date | time | timedelta):
        sheet.write_datetime(row, column, value, formats.temporal(value))
    else:
        sheet.write_number(row, column, value)


def _column_plan(
    sheet: Worksheet, formats: _Formats, column: str, type_id: str
) -> tuple[str, CellWriter, Format | None]:
    """How a column is read (a SQL expression) and written (a writer and its cell format).

    Values are made ready for Excel in the query where DuckDB can (NaN and infinities, control
    characters), so that writing a cell is one call chosen once per column, not per cell.
    """
    quoted = _quote(column)
    # Score points show two decimals; the cell keeps the full value.
    shown = formats.number(SCORE_FORMAT) if shows_two_decimals(column, type_id) else None
    if type_id in FLOAT_TYPES:
        return f"case when isfinite({quoted}) then {quoted} end", sheet.write_number, shown
    if type_id in NUMBER_TYPES:
        return quoted, sheet.write_number, shown
    if type_id in TEXT_TYPES:
        cleaned = f"regexp_replace({quoted}::varchar, {_literal(ILLEGAL_CHARACTERS)}, '', 'g')"
        return cleaned, sheet.write_string, None
    if type_id == "boolean":
        return quoted, sheet.write_boolean, None
    if type_id in TEMPORAL_FORMATS:
        return quoted, sheet.write_datetime, formats.number(TEMPORAL_FORMATS[type_id])

    def write_value(row: int, column: int, value: Any, _: Format | None) -> None:
        _write_value(sheet, formats, row, column, value)

    return quoted, write_value, None


def _batches(connection: duckdb.DuckDBPyConnection, rows: int) -> Iterator[list[tuple[Any, ...]]]:
    while batch := connection.fetchmany(rows):
        yield batch


def _write_sheet(
    sheet: Worksheet,
    formats: _Formats,
    connection: duckdb.DuckDBPyConnection,
    staged: str,
    headers: Sequence[str],
) -> int:
    """Write the staged rows of a mart under its headers; returns the number of rows."""
    relation = connection.sql(f"select * from {staged}")
    plans = [
        _column_plan(sheet, formats, column, column_type.id)
        for column, column_type in zip(relation.columns, relation.types, strict=True)
    ]
    expressions = ", ".join(expression for expression, _, _ in plans)
    writers = [writer for _, writer, _ in plans]
    cell_formats = [cell_format for _, _, cell_format in plans]
    # Sorted on the columns as they are (as the Parquet file is), not as made ready for Excel.
    order = ", ".join(map(_quote, relation.columns))
    connection.execute(f"select {expressions} from {staged} order by {order}")
    batches = _batches(connection, max(WIDTH_SAMPLE_ROWS, FETCH_CELLS // len(plans)))
    first = next(batches, [])
    for index, width in enumerate(column_widths(headers, first[:WIDTH_SAMPLE_ROWS])):
        sheet.set_column(index, index, width - XLSXWRITER_PADDING)
    sheet.freeze_panes(1, 0)
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, formats.header)
    row = 0
    for batch in chain([first], batches):
        for values in batch:
            row += 1
            for index, value in enumerate(values):
                if value is not None:
                    writers[index](row, index, value, cell_formats[index])
    sheet.autofilter(0, 0, row, len(headers) - 1)
    return row


def _export_workbook(
    connection: duckdb.DuckDBPyConnection,
    staged: Mapping[str, str],
    names: ColumnNames,
    guide: WorkbookGuide,
    path: Path,
) -> Path:
    """Write the workbook: the 说明 About sheet, then a sheet per staged mart, in `staged`'s
    order."""
    counts: dict[str, int] = {}
    for mart, table in staged.items():
        rows = counts[mart] = connection.execute(f"select count(*) from {table}").fetchone()[0]
        if rows > EXCEL_MAX_DATA_ROWS:
            raise ValueError(
                f"{SCHEMA}.{mart} has more than {EXCEL_MAX_DATA_ROWS} rows, more than an "
                "Excel sheet holds; read its Parquet export instead"
            )
    nodes = node_names_zh(connection)
    sheets = sheet_names(list(staged))
    columns = {mart: connection.sql(f"select * from {staged[mart]}").columns for mart in staged}
    headers = {mart: headers_for(columns[mart], names.get(mart, {}), nodes) for mart in staged}
    entries = [
        SheetEntry(sheets[mart], mart, counts[mart], guide.mart(mart).description)
        for mart in staged
    ]
    column_entries = [
        ColumnEntry(sheets[mart], column, header, meaning)
        for mart in staged
        for column, header, meaning in zip(
            columns[mart],
            headers[mart],
            meanings_for(columns[mart], guide.mart(mart).columns, nodes),
            strict=True,
        )
    ]
    published = publication(connection)
    partial = _temporary(path)
    try:
        # Constant memory: each row goes to a temporary file (in `scratch`, removed whatever
        # happens) as soon as the next one starts, instead of every cell being held.
        with tempfile.TemporaryDirectory(prefix="suanli-xlsx-") as scratch:
            workbook = Workbook(
                str(partial),
                {"constant_memory": True, "tmpdir": scratch, "remove_timezone": True},
            )
            # The same marts give the same bytes: the workbook says it was created when its
            # marts were published (xlsxwriter would write the time of writing).
            workbook.set_properties({"created": _published_at(published)})
            write_about_sheet(workbook, published, entries, column_entries)
            formats = _Formats(workbook)
            for mart, sheet_name in sheets.items():
                sheet = workbook.add_worksheet(sheet_name)
                _write_sheet(sheet, formats, connection, staged[mart], headers[mart])
            workbook.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path

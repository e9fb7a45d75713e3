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

Each mart of the workbook is computed once, sorted, into a temporary table of the connection that
both files are read from; the Parquet-only marts go straight to their files. XlsxWriter writes the
workbook's package, in memory: the About sheet, the styles, and each data sheet's columns (sized
on their first rows), frozen header row and autofilter, but none of its data rows. Those DuckDB
writes, as the XML of the sheet's rows, one query a sheet, spliced into the sheet's file as the
package is copied into the workbook (compressed at zlib's fastest level): writing ~1.5 million
cells one XlsxWriter call at a time took most of a minute. In the cells: numbers, booleans, dates
and times as Excel values (a number as the shortest text that reads back as the same double, so
exactly what Excel keeps; integers up to 64 bits as their digits), NaN and infinities as empty
cells, text without the characters XML cannot carry (cut at Excel's 32,767 characters; text that
reads as Excel's `_xHHHH_` escape of a character escaped in turn, as Excel does), lists, structs
and maps as JSON, anything else (UUIDs, blobs) as its text. The same marts give the same bytes.

`exports_fingerprint` describes what the exports are made from (the published marts' content,
this code, DuckDB's and XlsxWriter's versions, the Chinese headers, the marts left out of the
workbook, the guide's order and descriptions): the asset keeps it in the
export directory's stamp (`suanli.publish.stamps`) and leaves the files as they are while it holds.

No Dagster here: the asset in `suanli.publish.exports_asset` only chooses where to read and write.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import duckdb
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

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
# Characters XML 1.0 cannot carry (tab, line feed and carriage return it can): removed from
# text. In DuckDB's regular expressions (RE2).
ILLEGAL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
# Excel's limit on a cell's text, in characters: longer text is cut.
MAX_CHARACTERS = 32_767
# Column widths in Excel's units (about one Latin character); CJK characters count twice.
MIN_WIDTH, MAX_WIDTH = 8, 60
# XlsxWriter adds Excel's cell padding (5 pixels of a 7-pixel character) to the width it is
# given, as Excel's column-width dialog does; taking it off leaves the widths above in the file.
XLSXWRITER_PADDING = 5 / 7
# Widths are measured on the first rows only: enough to be sensible without a second pass.
WIDTH_SAMPLE_ROWS = 2000
# What the files' bytes depend on besides the marts, the Chinese headers and this code.
LIBRARIES = ("duckdb", "xlsxwriter")
# `<node_code>_score` / `<node_code>_rank` columns of wide_index_scores are generated from the
# index definitions, so their Chinese headers are too (the node's name plus 得分 or 排名), and
# their meaning is the composite's column of the same suffix, on that node.
NODE_COLUMN_SUFFIXES = {"_score": "得分", "_rank": "排名"}
NODE_COLUMN_MODEL = "composite"

# DuckDB types (`DuckDBPyType.id`) written as Excel numbers, booleans, dates and times; columns of
# any other type are written as text (lists, structs, maps and unions as JSON).
# Integers up to 64 bits are written as their digits; other numbers as doubles (as Excel keeps
# every number).
INTEGER_TYPES = frozenset(
    {"tinyint", "smallint", "integer", "bigint"} | {"utinyint", "usmallint", "uinteger", "ubigint"}
)
NUMBER_TYPES = INTEGER_TYPES | {"hugeint", "uhugeint", "float", "double", "decimal"}
NESTED_TYPES = frozenset({"list", "struct", "map", "array", "union"})
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
TIME_TYPES = frozenset({"time", "time with time zone"})
SECONDS_PER_DAY = 86_400
MICROSECONDS_PER_DAY = SECONDS_PER_DAY * 1_000_000

# Excel's types of cells (a cell's `t` attribute): a number (the default), a boolean, text in
# the cell (inline, rather than in the shared strings XlsxWriter writes its own text to).
NUMBER, BOOLEAN, TEXT = "n", "b", "inlineStr"
# The rows' XML is written by DuckDB. In a row's cells, its number is first this placeholder: a
# control character, which no value's text keeps (XML cannot carry it).
ROW_MARK = "\x01"
# Excel reads `_xHHHH_` in text as the character HHHH: text that reads so is escaped.
EXCEL_ESCAPE, EXCEL_ESCAPED = "(_x[0-9A-Fa-f]{4}_)", r"_x005F\1"
XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
# Whitespace at either end of text (Python's `\s`) is kept only where XML is told to keep it;
# so is text starting or ending with characters removed, which may leave whitespace there.
WHITESPACE_ENDS = r"^[\t\n\r\x{85}\pZ]|[\t\n\r\x{85}\pZ]$"
PRESERVED_ENDS = "|".join((WHITESPACE_ENDS, f"^{ILLEGAL_CHARACTERS}|{ILLEGAL_CHARACTERS}$"))
PRESERVE = ' xml:space="preserve">'
# Text any of the above applies to.
NEEDS_WORK = "|".join((ILLEGAL_CHARACTERS, "[&<>\r]", EXCEL_ESCAPE, WHITESPACE_ENDS))
# The XML of a sheet's rows is fetched from DuckDB this many rows at a time.
FETCH_ROWS = 4096
# Where a sheet's rows go in its XML, and the range of its cells (which XlsxWriter, writing the
# header only, gives as the header row's).
SHEET_DATA_END = b"</sheetData>"
DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
# zlib's fastest level: for the demo marts the workbook is a quarter larger than at the default
# level (9.7 MB instead of 7.8 MB) and compressed in a third of the time (0.4 s instead of 1.2 s).
ZIP_LEVEL = 1

ColumnNames = Mapping[str, Mapping[str, str]]


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
    # Views are queries (wide_index_scores pivots every score): each mart of the workbook is
    # computed once, into a temporary table of this connection that both files are read from.
    sheets = guide.ordered(mart for mart in marts if mart not in left_out)
    staged = {mart: _staged_table(index) for index, mart in enumerate(sheets)}
    try:
        written = [_export_parquet(connection, mart, staged.get(mart), out_dir) for mart in marts]
        path = out_dir / WORKBOOK_NAME
        written.append(_export_workbook(connection, staged, column_names, guide, path))
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


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _staged_table(index: int) -> str:
    return f"temp.main.{_quote(f'_suanli_export_{index}')}"


def _export_parquet(
    connection: duckdb.DuckDBPyConnection, mart: str, staged: str | None, out_dir: Path
) -> Path:
    """Write a mart's rows, sorted on every column, to `<mart>.parquet`, staging them in the
    temporary table `staged` first if one is named."""
    rows = f"select * from {SCHEMA}.{_quote(mart)} order by all"
    if staged is not None:
        # Sorted once, here: DuckDB keeps a table's rows in the order they were inserted in,
        # and reads them (COPY, the workbook's queries) in that order.
        connection.execute(f"create or replace temp table {staged} as {rows}")
        rows = f"select * from {staged}"
    path = out_dir / f"{mart}.parquet"
    partial = _temporary(path)
    try:
        connection.execute(
            f"copy ({rows}) to {_literal(str(partial))} (format parquet, compression zstd)"
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


def column_width(header: str, widest: int) -> int:
    """Width of a column: its header's or its widest value's (`widest`), within bounds."""
    return min(MAX_WIDTH, max(MIN_WIDTH, display_width(header) + 2, widest + 2))


@dataclass(frozen=True)
class CellPlan:
    """How the values of a column become cells.

    `value` is SQL giving a value as the text its cell holds (a number's digits, a boolean's 1
    or 0, the text), NULL for no cell; `shown` is SQL giving the value as DuckDB writes it as
    text, whose width sizes the column; `cell_type` is Excel's type of the cells (their `t`
    attribute) and `num_format` their number format, if they have one.
    """

    value: str
    shown: str
    cell_type: str
    num_format: str | None = None


def cell_plan(column: str, type_id: str) -> CellPlan:
    """How the values of a column of this name and DuckDB type (`DuckDBPyType.id`) are
    written."""
    quoted = _quote(column)
    as_text = f"{quoted}::varchar"
    if type_id in INTEGER_TYPES:
        return CellPlan(as_text, as_text, NUMBER)
    if type_id in NUMBER_TYPES:
        # Score points show two decimals; the cell keeps the full value.
        shown_as = SCORE_FORMAT if shows_two_decimals(column, type_id) else None
        return CellPlan(_double_text(f"{quoted}::double"), as_text, NUMBER, shown_as)
    if type_id == "boolean":
        return CellPlan(f"{quoted}::integer::varchar", as_text, BOOLEAN)
    if type_id in TEMPORAL_FORMATS:
        serial = _double_text(f"({_serial_days(quoted, type_id)})")
        return CellPlan(serial, as_text, NUMBER, TEMPORAL_FORMATS[type_id])
    if type_id in NESTED_TYPES:
        as_text = f"to_json({quoted})::varchar"
    return CellPlan(as_text, as_text, TEXT)


def _double_text(number: str) -> str:
    """SQL: a double as the shortest text that reads back as the same double (as Python's repr
    writes it; its exponent's E a capital, as Excel writes it); NULL for NaN and infinities,
    which Excel does not have: an empty cell says "no value"."""
    return f"case when isfinite({number}) then upper({number}::varchar) end"


def _serial_days(quoted: str, type_id: str) -> str:
    """SQL: Excel's serial number of a date, timestamp, time or duration, in days.

    Dates count from day 1, 1900-01-01, and from 1900-03-01 on one more: Excel counts a
    29 February 1900 that never was. Timestamps with a time zone are taken in the connection's
    time zone (Excel has none); infinite dates and timestamps (beyond Excel's) have no number.
    """
    if type_id == "interval":
        return f"epoch({quoted}) / {SECONDS_PER_DAY}"
    if type_id in TIME_TYPES:
        return f"epoch_us({quoted}::time) / {MICROSECONDS_PER_DAY}"
    moment = f"{quoted}::timestamp"
    day_zero = (
        f"case when {moment} >= TIMESTAMP '1900-03-01' then epoch_us(TIMESTAMP '1899-12-30') "
        "else epoch_us(TIMESTAMP '1899-12-31') end"
    )
    days = f"(epoch_us({moment}) - {day_zero}) / {MICROSECONDS_PER_DAY}"
    return f"case when isfinite({moment}) then {days} end"


def _text_element(text: str) -> str:
    """SQL: text as what follows `<t` in the XML of its cell: `>` and the text, which Excel
    reads back as the text itself.

    Without the characters XML cannot carry, cut at Excel's 32,767 characters, `&`, `<` and
    `>` escaped for XML, a carriage return as a character reference (XML readers read a bare
    one as a line feed), what reads as Excel's escape of a character (`_x000D_`) with its
    underscore escaped (`_x005F_x000D_`), as Excel does it; and XML told to keep whitespace at
    either end (which the removed characters may leave there too).
    """
    content = f"regexp_replace({text}, {_literal(ILLEGAL_CHARACTERS)}, '', 'g')"
    content = f"left({content}, {MAX_CHARACTERS})"
    content = f"regexp_replace({content}, {_literal(EXCEL_ESCAPE)}, {_literal(EXCEL_ESCAPED)}, 'g')"
    for character, reference in XML_ESCAPES:
        content = f"replace({content}, {_literal(character)}, {_literal(reference)})"
    long = f"strlen({text}) > {MAX_CHARACTERS}"
    preserve = (
        f"case when {long} or regexp_matches({text}, {_literal(PRESERVED_ENDS)}) "
        f"then {_literal(PRESERVE)} else '>' end"
    )
    # Most text is short and needs none of that (its length in bytes, which DuckDB knows,
    # bounds its length in characters): one scan says so.
    needs_work = f"{long} or regexp_matches({text}, {_literal(NEEDS_WORK)})"
    return f"case when {needs_work} then concat({preserve}, {content}) else concat('>', {text}) end"


def _sql_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(items) + "]"


def rows_sql(staged: str, plans: Sequence[CellPlan], styles: Mapping[str, int]) -> str:
    """SQL: the XML of each of a staged mart's rows (a `<row>` element, from row 2 on, encoded
    in UTF-8), in the table's order (it is stored sorted; DuckDB reads a table in the order of
    its rows).

    Each row's values are made a list and one lambda writes every cell, with what differs from
    column to column (start, text or not) taken from constant lists: DuckDB takes longer to
    parse and plan a query whose every cell is an expression of its own than to run it. The
    cells name their row with a placeholder, `ROW_MARK`, replaced in the row's XML: a lambda's
    every cell would copy the row's number otherwise. Cells without a value (NULL, NaN,
    infinities) are left out; a row without a cell is NULL.
    """
    starts = _sql_list(
        _literal(_cell_start(index, plan, styles)) for index, plan in enumerate(plans)
    )
    texts = _sql_list("true" if plan.cell_type == TEXT else "false" for plan in plans)
    cell = (
        f"case when v is null then null "
        f"when {texts}[i] then concat({starts}[i], {_text_element('v')}, '</t></is></c>') "
        f"else concat({starts}[i], v, '</v></c>') end"
    )
    cells = f"list_aggr(list_transform(vs, lambda v, i: {cell}), 'string_agg', '')"
    row = f"""'<row r="' || r || '">' || replace({cells}, {_literal(ROW_MARK)}, r) || '</row>'"""
    values = _sql_list(plan.value for plan in plans)
    # Only names of its own leave the inner query: a mart's columns may be named anything.
    numbered = f"select (rowid + 2)::varchar as r, {values} as vs from {staged}"
    # As UTF-8 bytes, what the workbook's file holds: Python need not decode and encode them.
    return f"select encode({row}) from ({numbered})"


def _cell_start(column: int, plan: CellPlan, styles: Mapping[str, int]) -> str:
    """A cell's XML up to its value: its reference (in column `column`, from 0, with
    `ROW_MARK` for its row), style and type, and the opening tags of its value."""
    start = f'<c r="{xl_col_to_name(column)}{ROW_MARK}"'
    if plan.num_format:
        start += f' s="{styles[plan.num_format]}"'
    if plan.cell_type == NUMBER:
        return f"{start}><v>"
    if plan.cell_type == BOOLEAN:
        return f'{start} t="{BOOLEAN}"><v>'
    return f'{start} t="{TEXT}"><is><t'


def widest_values(
    connection: duckdb.DuckDBPyConnection, staged: str, plans: Sequence[CellPlan]
) -> list[int]:
    """Width of each column's widest value (its plan's `shown` text) in the first
    `WIDTH_SAMPLE_ROWS` rows of a staged mart.

    DuckDB measures ASCII text; text with other characters (little, in the sample) is measured
    here, where East Asian widths are known.
    """
    shown = _sql_list(plan.shown for plan in plans)
    sample = f"(select * from {staged} limit {WIDTH_SAMPLE_ROWS})"
    measures = connection.execute(
        "select i, max(length(v)), list(v) filter (where strlen(v) > length(v)) "
        f"from (select unnest(range({len(plans)})) as i, unnest({shown}) as v from {sample}) "
        "group by i"
    ).fetchall()
    widest = [0] * len(plans)
    for index, longest, wide in measures:
        widest[index] = max([longest or 0, *map(display_width, set(wide or ()))])
    return widest


def dimension(rows: int, columns: int) -> str:
    """The range of a sheet's cells: a header row and `rows` rows, of `columns` columns."""
    last = xl_rowcol_to_cell(rows, columns - 1)
    return "A1" if last == "A1" else f"A1:{last}"


def splice_rows(sheet_xml: bytes, cells: str, rows: Iterable[bytes], out: IO[bytes]) -> None:
    """Write to `out` a sheet's XML as XlsxWriter wrote it (its header row only) with the XML
    of its data `rows` after the header row and `cells` as the range of its cells."""
    head, end, tail = sheet_xml.partition(SHEET_DATA_END)
    if not end:
        raise ValueError("the worksheet has no sheetData to add rows to")
    out.write(DIMENSION.sub(f'<dimension ref="{cells}"/>'.encode(), head, count=1))
    for chunk in rows:
        out.write(chunk)
    out.write(end + tail)


@dataclass(frozen=True)
class _Sheet:
    """A data sheet: the mart it shows, the temporary table it is staged in, its name, its
    columns and their headers, its number of rows, how each column's values are written and
    the columns' widths."""

    mart: str
    staged: str
    name: str
    columns: list[str]
    headers: list[str]
    rows: int
    plans: list[CellPlan]
    widths: list[int]


def _sheet(
    connection: duckdb.DuckDBPyConnection,
    mart: str,
    staged: str,
    name: str,
    known: Mapping[str, str],
    nodes: Mapping[str, str],
) -> _Sheet:
    """The sheet of a staged mart, named `name`, with the documented headers `known`."""
    rows = connection.execute(f"select count(*) from {staged}").fetchone()[0]
    if rows > EXCEL_MAX_DATA_ROWS:
        raise ValueError(
            f"{SCHEMA}.{mart} has more than {EXCEL_MAX_DATA_ROWS} rows, more than an "
            "Excel sheet holds; read its Parquet export instead"
        )
    relation = connection.sql(f"select * from {staged}")
    columns = relation.columns
    plans = [
        cell_plan(column, column_type.id)
        for column, column_type in zip(columns, relation.types, strict=True)
    ]
    headers = headers_for(columns, known, nodes)
    widest = widest_values(connection, staged, plans)
    widths = [column_width(header, width) for header, width in zip(headers, widest, strict=True)]
    return _Sheet(mart, staged, name, columns, headers, rows, plans, widths)


def _package(
    sheets: Sequence[_Sheet],
    published: Mapping[str, Any] | None,
    entries: Sequence[SheetEntry],
    column_entries: Sequence[ColumnEntry],
) -> tuple[bytes, dict[str, _Sheet], dict[str, int]]:
    """The workbook as XlsxWriter writes it, in memory, with the header rows of its data sheets
    and none of their rows: its bytes, the data sheet of each of its files and the style of each
    number format the data cells use."""
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True})
    # The same marts give the same bytes: the workbook says it was created when its marts were
    # published (xlsxwriter would write the time of writing).
    workbook.set_properties({"created": _published_at(published)})
    write_about_sheet(workbook, published, entries, column_entries)
    header = workbook.add_format({"bold": True, "valign": "vcenter"})
    formats: dict[str, Format] = {}
    files: dict[str, _Sheet] = {}
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name)
        for index, (plan, width) in enumerate(zip(sheet.plans, sheet.widths, strict=True)):
            if plan.num_format and plan.num_format not in formats:
                formats[plan.num_format] = workbook.add_format({"num_format": plan.num_format})
            # The column's format is its cells': giving it to the column gives it a style.
            column_format = formats[plan.num_format] if plan.num_format else None
            worksheet.set_column(index, index, width - XLSXWRITER_PADDING, column_format)
        worksheet.freeze_panes(1, 0)
        for index, text in enumerate(sheet.headers):
            worksheet.write_string(0, index, text, header)
        worksheet.autofilter(0, 0, sheet.rows, len(sheet.headers) - 1)
        # XlsxWriter numbers the files of its worksheets from 1, in order.
        files[f"xl/worksheets/sheet{worksheet.index + 1}.xml"] = sheet
    workbook.close()
    # Formats are numbered (`xf_index`) as the workbook is written, in their order of use; one
    # equal to a format used before it (in the About sheet, say) would have no number of its own.
    styles = {code: used.xf_index for code, used in formats.items()}
    if None in styles.values():
        raise ValueError(f"number formats without a style of their own: {styles}")
    return buffer.getvalue(), files, styles


def _sheet_rows(
    connection: duckdb.DuckDBPyConnection, sheet: _Sheet, styles: Mapping[str, int]
) -> Iterator[bytes]:
    connection.execute(rows_sql(sheet.staged, sheet.plans, styles))
    while rows := connection.fetchmany(FETCH_ROWS):
        yield b"".join(row for (row,) in rows if row is not None)


def _write_workbook(
    connection: duckdb.DuckDBPyConnection,
    package: bytes,
    files: Mapping[str, _Sheet],
    styles: Mapping[str, int],
    path: Path,
) -> None:
    """Write the workbook to `path`: the `package`'s files, with the rows of each data sheet
    (`files`) spliced into its file."""
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as target,
    ):
        for name in source.namelist():
            # Opened by name, a file is dated 1980-01-01, as XlsxWriter dates them.
            with target.open(name, "w") as out:
                sheet = files.get(name)
                if sheet is None:
                    out.write(source.read(name))
                    continue
                cells = dimension(sheet.rows, len(sheet.headers))
                rows = _sheet_rows(connection, sheet, styles)
                splice_rows(source.read(name), cells, rows, out)


def _export_workbook(
    connection: duckdb.DuckDBPyConnection,
    staged: Mapping[str, str],
    names: ColumnNames,
    guide: WorkbookGuide,
    path: Path,
) -> Path:
    """Write the workbook: the 说明 About sheet, then a sheet per staged mart, in `staged`'s
    order."""
    nodes = node_names_zh(connection)
    sheet_name = sheet_names(list(staged))
    sheets = [
        _sheet(connection, mart, table, sheet_name[mart], names.get(mart, {}), nodes)
        for mart, table in staged.items()
    ]
    entries = [
        SheetEntry(sheet.name, sheet.mart, sheet.rows, guide.mart(sheet.mart).description)
        for sheet in sheets
    ]
    column_entries = [
        ColumnEntry(sheet.name, column, header, meaning)
        for sheet in sheets
        for column, header, meaning in zip(
            sheet.columns,
            sheet.headers,
            meanings_for(sheet.columns, guide.mart(sheet.mart).columns, nodes),
            strict=True,
        )
    ]
    package, files, styles = _package(sheets, publication(connection), entries, column_entries)
    partial = _temporary(path)
    try:
        _write_workbook(connection, package, files, styles, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path

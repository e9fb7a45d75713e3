"""Exports of the marts for people without a SQL client: Parquet files and one Excel workbook.

`export_marts` writes every table and view of a DuckDB file's `marts` schema to
`<out_dir>/<mart>.parquet` (DuckDB's own `COPY … (FORMAT parquet)`, so types survive) and to one
sheet each of `<out_dir>/suanli_marts.xlsx`, whose header row carries the Chinese column names
documented in dbt (`meta.name_zh` in models/marts/_marts.yml; the column name when there is
none). Rows are sorted on every column, so exporting the same marts twice gives the same rows
in the same order. Each file is written beside its destination and renamed over it: a reader
of the export directory sees the previous file or the new one, never half of one.

No Dagster here: the asset in `suanli.assets.exports` only chooses where to read and write.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from suanli.paths import DBT_PROJECT_DIR

SCHEMA = "marts"
WORKBOOK_NAME = "suanli_marts.xlsx"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"

# Excel's hard limits: 31 characters per sheet name, 1,048,576 rows per sheet (one is the header).
SHEET_NAME_MAX = 31
EXCEL_MAX_DATA_ROWS = 1_048_575
# Characters Excel refuses in sheet names.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Column widths in Excel's units (about one Latin character); CJK characters count twice.
MIN_WIDTH, MAX_WIDTH = 8, 60
# Widths are measured on the first rows only: enough to be sensible without a second pass.
WIDTH_SAMPLE_ROWS = 2000
FETCH_ROWS = 10_000
# `<node_code>_score` / `<node_code>_rank` columns of wide_index_scores are generated from the
# index definitions, so their Chinese headers are too (the node's name plus 得分 or 排名).
NODE_COLUMN_SUFFIXES = {"_score": "得分", "_rank": "排名"}

# Types openpyxl writes as numbers, booleans or dates.
EXCEL_NATIVE = (bool, int, float, Decimal, date, time, timedelta)

ColumnNames = Mapping[str, Mapping[str, str]]


def load_column_names_zh(manifest_path: Path = MANIFEST_PATH) -> dict[str, dict[str, str]]:
    """`{mart: {column: 中文列名}}` from the `meta.name_zh` of every mart model's columns."""
    if not manifest_path.is_file():
        raise FileNotFoundError(
            f"dbt manifest not found at {manifest_path}: run `make manifest` (dbt parse) first"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return column_names_zh(manifest)


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
) -> list[Path]:
    """Write every mart to `<out_dir>/<mart>.parquet` and to a sheet of `suanli_marts.xlsx`.

    `column_names` maps mart → column → Chinese header; by default it is read from the dbt
    manifest. Returns the files written: the Parquet files by mart name, then the workbook.
    """
    names = load_column_names_zh() if column_names is None else column_names
    out_dir.mkdir(parents=True, exist_ok=True)
    marts = list_marts(connection)
    if not marts:
        raise ValueError(f"no tables or views in schema {SCHEMA} of {current_file(connection)}")
    written = [_export_parquet(connection, mart, out_dir) for mart in marts]
    written.append(_export_workbook(connection, marts, names, out_dir / WORKBOOK_NAME))
    return written


def current_file(connection: duckdb.DuckDBPyConnection) -> str:
    row = connection.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return str(row[0]) if row else "the database"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sorted_rows_sql(mart: str) -> str:
    return f"select * from {SCHEMA}.{_quote(mart)} order by all"


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _export_parquet(connection: duckdb.DuckDBPyConnection, mart: str, out_dir: Path) -> Path:
    path = out_dir / f"{mart}.parquet"
    partial = _temporary(path)
    try:
        connection.execute(
            f"copy ({_sorted_rows_sql(mart)}) to {_literal(str(partial))} "
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
        base = SHEET_NAME_FORBIDDEN.sub("_", mart)[:SHEET_NAME_MAX]
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


def display_width(value: Any) -> int:
    """Width of a value in Excel columns: East Asian wide characters take two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def excel_value(value: Any) -> Any:
    """A value openpyxl can store and Excel can open."""
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
    return str(value)  # UUIDs, intervals, blobs: as text


def _batches(cursor: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield batch


def _write_sheet(
    sheet: WriteOnlyWorksheet,
    connection: duckdb.DuckDBPyConnection,
    mart: str,
    headers: Sequence[str],
) -> int:
    cursor = connection.cursor()
    try:
        cursor.execute(_sorted_rows_sql(mart))
        batches = _batches(cursor)
        first = next(batches, [])
        # A write-only sheet needs its widths and panes before its first row.
        for index, header in enumerate(headers):
            sample = max(
                (display_width(row[index]) for row in first[:WIDTH_SAMPLE_ROWS]), default=0
            )
            width = min(MAX_WIDTH, max(MIN_WIDTH, display_width(header) + 2, sample + 2))
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            cell.alignment = Alignment(vertical="center")
            header_cells.append(cell)
        sheet.append(header_cells)
        rows = 0
        for batch in (first, *batches):
            rows += len(batch)
            if rows > EXCEL_MAX_DATA_ROWS:
                raise ValueError(
                    f"{SCHEMA}.{mart} has more than {EXCEL_MAX_DATA_ROWS} rows, more than an "
                    "Excel sheet holds; read its Parquet export instead"
                )
            for row in batch:
                sheet.append([excel_value(value) for value in row])
        last_column = get_column_letter(max(len(headers), 1))
        sheet.auto_filter.ref = f"A1:{last_column}{rows + 1}"
        return rows
    finally:
        cursor.close()


def _export_workbook(
    connection: duckdb.DuckDBPyConnection,
    marts: Sequence[str],
    names: ColumnNames,
    path: Path,
) -> Path:
    # Write-only: rows stream to disk instead of being held as cell objects.
    workbook = Workbook(write_only=True)
    nodes = node_names_zh(connection)
    for mart, sheet_name in sheet_names(marts).items():
        columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_catalog = current_database() and table_schema = ? "
                "and table_name = ? order by ordinal_position",
                [SCHEMA, mart],
            ).fetchall()
        ]
        sheet = workbook.create_sheet(sheet_name)
        _write_sheet(sheet, connection, mart, headers_for(columns, names.get(mart, {}), nodes))
    partial = _temporary(path)
    try:
        workbook.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path

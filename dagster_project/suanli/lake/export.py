"""Raw record-level rows, DuckDB → Parquet, for Spark to read (`data/lake/raw/<table>/`).

Spark cannot read a DuckDB file, and a cluster reads files from shared storage anyway: Parquet
is what both engines read and write natively, typed (dates, timestamps, doubles survive as
such, unlike CSV) and columnar. Only the current deliveries' rows are written, and only of the
sources record-level models read (`RECORD_LEVEL_SOURCES`): the rest of the warehouse is small
and stays on DuckDB. Under the `spark` target, the staging models read each folder in place
(dbt macro `raw_source`, macros/lake.sql).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

from suanli.settings import lake_dir, warehouse_path

# Raw tables whose rows Spark's record-level models read; `deliveries` (written too) says which
# delivery is current, and the staging models join it as they do on DuckDB.
RECORD_LEVEL_SOURCES = ("patents", "centre_energy")


def current_rows_query(table: str) -> str:
    """The rows of `raw.<table>` that staging reads: those of its current deliveries."""
    return (
        f"select raw_rows.* from raw.{table} as raw_rows semi join raw.deliveries as deliveries"
        f" on raw_rows._delivery_id = deliveries.delivery_id"
        f" and deliveries.source = '{table}' and deliveries.is_current"
    )


def export_raw(
    warehouse: Path, lake: Path, sources: tuple[str, ...] = RECORD_LEVEL_SOURCES
) -> dict[str, int]:
    """Write each of `sources` in `warehouse` (and their deliveries) to
    `lake/raw/<table>/data.parquet`, replacing what was there; return the rows per table.

    One file per table: DuckDB writes its row groups in parallel, and Spark splits a file by
    row group, so one file does not limit Spark's parallelism."""
    written: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        present = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        # a source never delivered to this warehouse has no raw table, and nothing to export
        sources = tuple(source for source in sources if source in present)
        queries = {source: current_rows_query(source) for source in sources}
        listed = ", ".join(f"'{source}'" for source in sources)
        queries["deliveries"] = f"select * from raw.deliveries where source in ({listed})"
        for table, query in queries.items():
            folder = lake / "raw" / table
            # A folder of its own per table (Spark's table location): emptied, so a file a
            # previous export left never joins the new rows.
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            target = folder / "data.parquet"
            connection.execute(f"copy ({query}) to '{target}' (format parquet)")
            [(count,)] = connection.execute(f"select count(*) from '{target}'").fetchall()
            written[table] = count
    return written


def main() -> None:
    """`python -m suanli.lake.export`: the work file's record-level rows to the lake."""
    lake = lake_dir()
    for table, count in export_raw(warehouse_path(), lake).items():
        print(f"{table}: {count} rows → {lake / 'raw' / table}", file=sys.stdout)


if __name__ == "__main__":
    main()

"""What a raw asset's materialisation says: per year partition, that year's rows, file and
provenance, read from the deliveries in force after the run's loads.

A single-run backfill materialises every year of its range in one step, and Dagster copies the
step's metadata onto each year unless a year has metadata of its own. So each year gets its
own: the delivery in force for it (file, sha256, rows, when received, the archived copy) and
what this run did with that year's file. A year before the source's first one (`first_year`:
another source's history years, another system's years) is materialised with the rest of the
range, because a run's partition range is one for all its assets; it says `rows: 0`, no files,
and why, so that it never passes for a year with data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
from dagster import MetadataValue

from suanli.intake.catalog import SourceSpec
from suanli.intake.delivery import LoadResult
from suanli.transform.row_counts import ROW_COUNT

IN_FORCE = (
    "select partition_key, file_name, delivery_id, row_count, encoding, "
    "strftime(received_at, '%Y-%m-%dT%H:%M:%S'), archived_path from raw.deliveries "
    "where source = ? and is_current order by partition_key, file_name"
)
FIELDS = ("partition", "file", "sha256", "rows", "encoding", "received_at", "archived_path")


def deliveries_in_force(connection: duckdb.DuckDBPyConnection, source: str) -> list[dict]:
    """The source's current deliveries, one per slot (a year, a statistics file, or none)."""
    rows = connection.execute(IN_FORCE, [source]).fetchall()
    return [dict(zip(FIELDS, row, strict=True)) for row in rows]


def _this_run(slots: Sequence[str | None], results: Sequence[LoadResult]) -> list[dict]:
    return [
        {"partition": slot, "file": result.file_name, "status": result.status,
         "rows": result.row_count, "sha256": result.delivery_id}
        for slot, result in zip(slots, results, strict=True)
    ]  # fmt: skip


def _summary(in_force: list[dict], this_run: list[dict]) -> dict[str, Any]:
    rows = sum(delivery["rows"] for delivery in in_force)
    return {
        ROW_COUNT: rows,
        "rows": rows,
        "files": MetadataValue.json([delivery["file"] for delivery in in_force]),
        "in_force": MetadataValue.json(in_force),
        "this_run": MetadataValue.json(this_run),
        "new_deliveries": sum(item["status"] == "loaded" for item in this_run),
        "quarantined": sum(item["status"] == "quarantined" for item in this_run),
    }


def year_metadata(
    spec: SourceSpec,
    year: str,
    in_force: list[dict],
    slots: Sequence[str | None],
    results: Sequence[LoadResult],
) -> dict[str, Any]:
    """One year partition's metadata: its own delivery in force and this run's load of it."""
    if not spec.delivers(year):
        return {
            **_summary([], []),
            "note": f"no delivery: {spec.name} is delivered from {spec.first_year} on "
            f"(meta.delivery.first_year), so year {year} holds no rows",
        }
    this_run = [
        item for item in _this_run(slots, results) if spec.year_of_slot(item["partition"]) == year
    ]
    return _summary([d for d in in_force if spec.year_of_slot(d["partition"]) == year], this_run)


def whole_metadata(
    in_force: list[dict], slots: Sequence[str | None], results: Sequence[LoadResult]
) -> dict[str, Any]:
    """An unpartitioned source's metadata: every delivery in force, and this run's loads."""
    return _summary(in_force, _this_run(slots, results))

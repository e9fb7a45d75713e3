"""Bookkeeping in the work file's `audit` schema: which run built the marts, from which
deliveries, and every publication since.

The dbt step records its build before dbt touches a mart, so a build that fails half-way is on
record too: its half-built marts can never pass for the audited build before it. The
deliveries are those current at that moment; the run holds the work file from start to end
(`suanli.resources.lock`), so no other run can change them while it builds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

SCHEMA = "audit"
BUILDS = f"{SCHEMA}.marts_build"
PUBLICATIONS = f"{SCHEMA}.publications"
DELIVERY_FIELDS = ("source", "partition", "file", "sha256", "received_at")


@dataclass(frozen=True)
class MartsBuild:
    run_id: str
    built_at: datetime
    deliveries: list[dict]


def current_deliveries(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """The deliveries in force now, one per source and slot."""
    return [
        dict(zip(DELIVERY_FIELDS, row, strict=True))
        for row in connection.execute(
            "select source, partition_key, file_name, delivery_id, "
            "strftime(received_at, '%Y-%m-%dT%H:%M:%S') from raw.deliveries "
            "where is_current order by source, partition_key"
        ).fetchall()
    ]


def _exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        connection.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def record_marts_build(connection: duckdb.DuckDBPyConnection, run_id: str) -> MartsBuild:
    """Say that `run_id` is (re)building the marts now, from the deliveries current now."""
    connection.execute(f"create schema if not exists {SCHEMA}")
    connection.execute(
        f"create table if not exists {BUILDS} (run_id varchar not null, "
        "built_at timestamp not null, deliveries json not null)"
    )
    deliveries = current_deliveries(connection)
    built_at = datetime.now(UTC).replace(tzinfo=None)
    connection.execute(
        f"insert into {BUILDS} values (?, ?, ?)", [run_id, built_at, json.dumps(deliveries)]
    )
    return MartsBuild(run_id, built_at, deliveries)


def latest_marts_build(connection: duckdb.DuckDBPyConnection) -> MartsBuild | None:
    """The build the work file's marts come from; None if none is on record (a work file built
    before builds were recorded)."""
    if not _exists(connection, BUILDS):
        return None
    row = connection.execute(
        f"select run_id, built_at, deliveries from {BUILDS} "
        "order by built_at desc, rowid desc limit 1"
    ).fetchone()
    return MartsBuild(row[0], row[1], json.loads(row[2])) if row else None


def record_publication(
    connection: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    published_at: datetime,
    build: MartsBuild,
    tables: dict[str, int],
) -> None:
    """Keep the history the published file cannot: it only ever holds the latest publication."""
    connection.execute(f"create schema if not exists {SCHEMA}")
    connection.execute(
        f"create table if not exists {PUBLICATIONS} (published_at timestamp not null, "
        "run_id varchar not null, built_by_run varchar not null, "
        "deliveries json not null, tables json not null)"
    )
    connection.execute(
        f"insert into {PUBLICATIONS} values (?, ?, ?, ?, ?)",
        [published_at, run_id, build.run_id, json.dumps(build.deliveries), json.dumps(tables)],
    )


def publications(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every publication from this work file, oldest first."""
    if not _exists(connection, PUBLICATIONS):
        return []
    rows = connection.execute(
        f"select published_at, run_id, built_by_run, deliveries, tables from {PUBLICATIONS} "
        "order by published_at, rowid"
    ).fetchall()
    return [
        {
            "published_at": published_at,
            "run_id": run_id,
            "built_by_run": built_by_run,
            "deliveries": json.loads(deliveries),
            "tables": json.loads(tables),
        }
        for published_at, run_id, built_by_run, deliveries, tables in rows
    ]

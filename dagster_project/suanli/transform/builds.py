"""Bookkeeping in the work file's `audit` schema: which run built the marts, from which
deliveries, and every publication since.

The dbt step records its build before dbt touches a mart, so a build that fails half-way is on
record too: its half-built marts can never pass for the audited build before it. The
deliveries are those current at that moment; the run holds the work file from start to end
(`suanli.warehouse.lock`), so no other run can change them while it builds. A build also
records the digest of everything dbt reads (`inputs`: the deliveries and the project) and the
years it built; publication marks it `audited` once the gate lets it through. A later run
whose dbt inputs are those of an audited build covering its years has nothing to rebuild.

A build may extend an audited build (`base`): a run planned to rebuild only what reads the
sources whose deliveries changed (`suanli.transform.plan.rebuild_plan`), with the same project
(`project`, the digest of the code and definitions). Its marts are those of the base build with
the changed sources' descendants rebuilt; the audit gate counts the base's evaluations for the
checks it did not run again (`suanli.quality.gate`).
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
# Recorded since the table was first made: older work files gain them (null: never skipped).
OPTIONAL_COLUMNS = {
    "inputs": "varchar", "years": "json", "audited_at": "timestamp", "project": "varchar",
    "base": "varchar",
}  # fmt: skip


@dataclass(frozen=True)
class MartsBuild:
    run_id: str
    built_at: datetime
    deliveries: list[dict]
    inputs: str = ""  # digest of what dbt read; "" for builds recorded before it was
    years: tuple[int, ...] = ()  # the years dbt built
    audited_at: datetime | None = None  # when publication found every gating check passed
    project: str = ""  # digest of the project dbt read (code, definitions); "" before recorded
    base: str | None = None  # the audited build this one extends; None: a whole build

    def covers(self, inputs: str, years: list[int]) -> bool:
        """Whether this build, audited, already holds what dbt would build from `inputs`."""
        return (
            bool(self.inputs)
            and self.inputs == inputs
            and self.audited_at is not None
            and set(years) <= set(self.years)
        )


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


def _prepare_builds(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {SCHEMA}")
    connection.execute(
        f"create table if not exists {BUILDS} (run_id varchar not null, "
        "built_at timestamp not null, deliveries json not null)"
    )
    # Work files from before these were recorded gain the columns (null: never skipped).
    for column, type_ in OPTIONAL_COLUMNS.items():
        connection.execute(f"alter table {BUILDS} add column if not exists {column} {type_}")


def record_marts_build(
    connection: duckdb.DuckDBPyConnection,
    run_id: str,
    inputs: str = "",
    years: list[int] | None = None,
    *,
    project: str = "",
    base: str | None = None,
) -> MartsBuild:
    """Say that `run_id` is (re)building the marts now, from the deliveries current now (on
    top of the audited build `base`, when it rebuilds only part of them)."""
    _prepare_builds(connection)
    deliveries = current_deliveries(connection)
    built_at = datetime.now(UTC).replace(tzinfo=None)
    connection.execute(
        f"insert into {BUILDS} (run_id, built_at, deliveries, inputs, years, project, base) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [run_id, built_at, json.dumps(deliveries), inputs, json.dumps(years or []), project, base],
    )
    return MartsBuild(run_id, built_at, deliveries, inputs, tuple(years or ()), None, project, base)


def mark_audited(connection: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Publication found every gating check of this build passed."""
    _prepare_builds(connection)
    connection.execute(
        f"update {BUILDS} set audited_at = ? where run_id = ? and audited_at is null",
        [datetime.now(UTC).replace(tzinfo=None), run_id],
    )


def latest_marts_build(
    connection: duckdb.DuckDBPyConnection, run_id: str | None = None
) -> MartsBuild | None:
    """The build the work file's marts come from (or the build of `run_id`); None if none is on
    record (a work file built before builds were recorded)."""
    if not _exists(connection, BUILDS):
        return None
    columns = {
        name
        for (name,) in connection.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
            BUILDS.split("."),
        ).fetchall()
    }
    extra = [column for column in OPTIONAL_COLUMNS if column in columns]
    row = connection.execute(
        f"select run_id, built_at, deliveries{''.join(f', {c}' for c in extra)} from {BUILDS} "
        f"{'where run_id = ?' if run_id else ''} order by built_at desc, rowid desc limit 1",
        [run_id] if run_id else [],
    ).fetchone()
    if not row:
        return None
    found = dict(zip(extra, row[3:], strict=True))
    return MartsBuild(
        row[0],
        row[1],
        json.loads(row[2]),
        found.get("inputs") or "",
        tuple(json.loads(found.get("years") or "[]")),
        found.get("audited_at"),
        found.get("project") or "",
        found.get("base"),
    )


def audited_base_runs(connection: duckdb.DuckDBPyConnection, build: MartsBuild) -> list[str]:
    """The runs whose audits the marts of `build` still rest on: its base build, that build's
    base, and so on, each audited (a chain broken by an unaudited or unknown build ends there)."""
    runs: list[str] = []
    base = build.base
    while base and base not in runs:
        found = latest_marts_build(connection, base)
        if found is None or found.audited_at is None:
            break
        runs.append(base)
        base = found.base
    return runs


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

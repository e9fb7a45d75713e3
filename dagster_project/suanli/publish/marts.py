"""Write–audit–publish: swap the audited marts into the file BI tools read, all at once.

dbt builds the marts in the work warehouse; once their blocking checks pass, `publish_marts`
copies every table and view of the `marts` schema (with constraints and column comments) into
a new DuckDB file beside the published one, makes it durable, then renames it over the old
file. A rename is atomic on POSIX: a reader sees the previous marts or the new ones, never a
mix, and a run killed at any point (kill -9 included) leaves the published file untouched.
Readers that hold the old file open keep reading it; it is never written in place.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from suanli.warehouse.resource import STORAGE_COMPATIBILITY_VERSION

SCHEMA = "marts"
PUBLICATION_TABLE = "_publication"
WORK_ALIAS = "work"
CANDIDATE_ALIAS = "candidate"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    published_at: datetime
    tables: dict[str, int]
    views: list[str]
    size_bytes: int


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Statements committed together: one commit per statement (some 300 column comments)
    was a third of the copy's time. (Not the views' creation: a view that fails to bind,
    to be retried once what it reads exists, aborts the transaction it is in.) On an error
    the candidate file is closed uncommitted and removed (publish_marts)."""
    connection.execute("begin transaction")
    yield
    connection.execute("commit")


def remove_stale_candidates(published: Path) -> None:
    """Half-written candidates of killed runs; they were never visible to readers."""
    for leftover in published.parent.glob(f".{published.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def _copy_tables(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = connection.execute(
        "select table_name, sql, comment from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by table_name",
        [WORK_ALIAS, SCHEMA],
    ).fetchall()
    counts: dict[str, int] = {}
    for name, ddl, comment in tables:
        # DuckDB prints the DDL with the schema but without the catalog, so it applies as is
        # in the candidate file, keeping primary keys and NOT NULL constraints.
        connection.execute(ddl)
        target = f"{SCHEMA}.{_quote(name)}"
        connection.execute(f"insert into {target} select * from {WORK_ALIAS}.{target}")
        if comment:
            connection.execute(f"comment on table {target} is {_literal(comment)}")
        counts[name] = connection.execute(f"select count(*) from {target}").fetchone()[0]
    _copy_column_comments(connection, [name for name, _, _ in tables])
    return counts


def _copy_column_comments(connection: duckdb.DuckDBPyConnection, relations: Iterable[str]) -> None:
    wanted = set(relations)
    comments = connection.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name = ? and comment is not null",
        [WORK_ALIAS, SCHEMA],
    ).fetchall()
    for table, column, comment in comments:
        if table in wanted:
            connection.execute(
                f"comment on column {SCHEMA}.{_quote(table)}.{_quote(column)} "
                f"is {_literal(comment)}"
            )


def _copy_views(connection: duckdb.DuckDBPyConnection) -> list[str]:
    views = connection.execute(
        "select view_name, sql, comment from duckdb_views() "
        "where database_name = ? and schema_name = ? and not internal",
        [WORK_ALIAS, SCHEMA],
    ).fetchall()
    pending = {name: ddl for name, ddl, _ in views}
    created: list[str] = []
    # Views may read other views: create what resolves, retry the rest, stop when stuck.
    while pending:
        failures: dict[str, str] = {}
        for name, ddl in pending.items():
            try:
                connection.execute(ddl)
            except duckdb.CatalogException as error:
                failures[name] = str(error)
            else:
                created.append(name)
        if len(failures) == len(pending):
            stuck = "; ".join(f"{name}: {reason}" for name, reason in failures.items())
            raise RuntimeError(f"views that cannot be published: {stuck}")
        pending = {name: pending[name] for name in failures}
    # A view's DDL does not carry its comment (dbt's persist_docs writes it separately).
    with _transaction(connection):
        for name, _, comment in views:
            if comment:
                connection.execute(
                    f"comment on view {SCHEMA}.{_quote(name)} is {_literal(comment)}"
                )
        _copy_column_comments(connection, created)
    return sorted(created)


# What BI tools show beside `_publication` and its columns, as dbt's docs do for the marts'.
PUBLICATION_COMMENT = (
    "发布记录：这些数据集市何时由哪次运行发布、由哪次运行根据哪些交付文件构建 / When these marts "
    "were published, by which run, built by which run from which deliveries."
)
PUBLICATION_COLUMN_COMMENTS = {
    "published_at": "发布时间（UTC） / When the file was published (UTC).",
    "run_id": "发布本文件的 Dagster 运行 / The Dagster run that published this file.",
    "tables": "各表行数（JSON 对象：表名 → 行数） / Rows per table (JSON object: table → rows).",
    "deliveries": "构建所依据的交付文件（JSON 数组：来源、文件名、SHA-256 等） / "
    "The deliveries the marts were built from (JSON array: source, file name, SHA-256 …).",
    "built_by_run": "构建这些数据集市的 Dagster 运行 / The Dagster run that built these marts.",
    "content_sha256": "内容指纹：行、列、类型、注释、视图定义与交付文件的 SHA-256；相同即不重发 / "
    "SHA-256 of the rows, columns, types, comments, view definitions and deliveries: equal "
    "means publishing again would change nothing.",
}


def _comment_publication(connection: duckdb.DuckDBPyConnection) -> None:
    target = f"{SCHEMA}.{PUBLICATION_TABLE}"
    connection.execute(f"comment on table {target} is {_literal(PUBLICATION_COMMENT)}")
    for column, comment in PUBLICATION_COLUMN_COMMENTS.items():
        connection.execute(f"comment on column {target}.{column} is {_literal(comment)}")


def publish_marts(
    work_file: Path,
    published: Path,
    *,
    run_id: str,
    deliveries: list[dict] | None = None,
    built_by_run: str | None = None,
    fingerprint: str = "",
) -> PublishResult:
    """Copy the work file's marts into a candidate file, then atomically replace `published`.

    `deliveries` are those the marts were built from, by `built_by_run` (default: `run_id`).
    """
    if published.stem == SCHEMA:
        # DuckDB names a file's catalog after its stem: "marts.x" would then be ambiguous.
        raise ValueError(f"{published}: a published marts file may not be called {SCHEMA}.*")
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_candidates(published)
    candidate = published.with_name(f".{published.name}.{run_id}.tmp")
    published_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    # Attached under fixed aliases so the marts' DDL ("marts.x") resolves the same whatever
    # the files are called.
    connection = duckdb.connect()
    try:
        connection.execute(
            f"attach {_literal(str(candidate))} as {CANDIDATE_ALIAS} "
            f"(storage_version {_literal(STORAGE_COMPATIBILITY_VERSION)})"
        )
        connection.execute(f"use {CANDIDATE_ALIAS}")
        connection.execute(f"attach {_literal(str(work_file))} as {WORK_ALIAS} (read_only)")
        connection.execute(f"create schema {SCHEMA}")
        with _transaction(connection):
            tables = _copy_tables(connection)
        views = _copy_views(connection)
        with _transaction(connection):
            connection.execute(
                f"create table {SCHEMA}.{PUBLICATION_TABLE} (published_at timestamp not null, "
                "run_id varchar not null, tables json not null, deliveries json not null, "
                "built_by_run varchar not null, content_sha256 varchar not null)"
            )
            connection.execute(
                f"insert into {SCHEMA}.{PUBLICATION_TABLE} values (?, ?, ?, ?, ?, ?)",
                [
                    published_at,
                    run_id,
                    json.dumps(tables),
                    json.dumps(deliveries or []),
                    built_by_run or run_id,
                    fingerprint,
                ],
            )
            _comment_publication(connection)
        connection.execute(f"detach {WORK_ALIAS}")
        connection.execute("use memory")
        connection.execute(f"detach {CANDIDATE_ALIAS}")
    except BaseException:
        connection.close()
        remove_stale_candidates(published)
        raise
    connection.close()
    _fsync(candidate)
    os.replace(candidate, published)
    _fsync(published.parent)
    return PublishResult(published, published_at, tables, views, published.stat().st_size)


def last_publication(published: Path) -> dict | None:
    """The `_publication` row of the published file, or None when nothing was published yet."""
    if not published.exists():
        return None
    with duckdb.connect(str(published), read_only=True) as connection:
        cursor = connection.execute(f"select * from {SCHEMA}.{PUBLICATION_TABLE}")
        names = [column[0] for column in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    return {
        "published_at": row["published_at"],
        "run_id": row["run_id"],
        "tables": json.loads(row["tables"]),
        "deliveries": json.loads(row["deliveries"]),
        # Files published before builds were recorded were built by the run that published.
        "built_by_run": row.get("built_by_run", row["run_id"]),
        "content_sha256": row.get("content_sha256", ""),
    }


FLOATS = frozenset({"DOUBLE", "FLOAT", "REAL"})
# Part of the fingerprint: raise it when publish_marts writes something new (2: view comments,
# _publication's column comments), so files published before are published again.
PUBLICATION_FORMAT = 2


def marts_fingerprint(connection: duckdb.DuckDBPyConnection, deliveries: list[dict]) -> str:
    """SHA-256 of what a publication would hold: every mart's rows (order-free), columns,
    types and comments, every view's definition and comment, and the deliveries they were
    built from (and the publication format).
    Equal to the published file's: publishing again would change nothing but the date."""
    parts: list[object] = [
        PUBLICATION_FORMAT,
        sorted(json.dumps(d, sort_keys=True, default=str) for d in deliveries),
    ]
    parts.append(
        connection.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns() "
            f"where schema_name = '{SCHEMA}' and not starts_with(table_name, '_') "
            "order by all"
        ).fetchall()
    )
    parts.append(
        connection.execute(
            "select table_name, comment from duckdb_tables() "
            f"where schema_name = '{SCHEMA}' and not starts_with(table_name, '_') order by all"
        ).fetchall()
    )
    parts.append(
        connection.execute(
            "select view_name, sql, comment from duckdb_views() "
            f"where schema_name = '{SCHEMA}' order by all"
        ).fetchall()
    )
    columns: dict[str, list[str]] = {}
    for table, column, data_type in connection.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        f"where schema_name = '{SCHEMA}' and not starts_with(table_name, '_') and table_name in "
        f"(select table_name from duckdb_tables() where schema_name = '{SCHEMA}') "
        "order by table_name, column_index"
    ).fetchall():
        # Floating sums differ in their last bits from run to run (parallel aggregation):
        # twelve significant digits are what the marts mean.
        value = f"printf('%.12g', {_quote(column)})" if data_type in FLOATS else _quote(column)
        columns.setdefault(table, []).append(value)
    for table, values in columns.items():
        parts.append(
            connection.execute(
                f"select count(*), sum(hash(row({', '.join(values)})))::varchar "
                f"from {SCHEMA}.{_quote(table)}"
            ).fetchall()
        )
    return hashlib.sha256(json.dumps(parts, default=str).encode("utf-8")).hexdigest()

"""Dagster's SQLite storage (the local and test instance's, `dagster_home/dagster.yaml`) without
an fsync per event.

Dagster opens a new SQLite connection for every event it stores and commits it alone; with
SQLite's default `synchronous=FULL` each commit waits for the disk. A full run stores about
1,400 events (every dbt model's materialisation, every test's check evaluation, each planned
first), which cost some 15–45 ms each, 20 s or more of a run. Dagster's databases are in WAL
mode, where `synchronous=NORMAL` is safe against a crashed or killed process (nothing committed
is lost or corrupted); only a power cut or kernel crash may lose the last commits. That is the
local event log's trade (the production instance, `deploy/dagster.yaml`, is PostgreSQL).

    storage:
      custom:
        module: suanli.dagster_storage
        class: SqliteStorage
        config:
          base_dir: {env: DAGSTER_HOME}
"""

from __future__ import annotations

import sqlite3
from typing import Any

from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, SqliteStorageConfig
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Engine

PRAGMA = "pragma synchronous = normal"


def _commit_without_fsync(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(PRAGMA)


class SqliteStorage(DagsterSqliteStorage):
    """`DagsterSqliteStorage` whose connections commit with `synchronous=NORMAL`: the pragma is
    per connection, so it is set on every SQLite connection SQLAlchemy opens in this process
    (Dagster creates a new engine per event, out of reach of engine-level options)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        if not event.contains(Engine, "connect", _commit_without_fsync):
            event.listen(Engine, "connect", _commit_without_fsync)
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(  # the parent's returns its own class
        cls, inst_data: ConfigurableClassData, config_value: SqliteStorageConfig
    ) -> SqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)

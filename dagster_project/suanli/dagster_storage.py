"""Dagster's SQLite storage (the local and test instances', `dagster_home/dagster.yaml`) without
an fsync per event.

Dagster opens a new SQLite connection for every event it stores and commits it alone; with
SQLite's default `synchronous=FULL` each commit waits for the disk. A full run stores about
1,400 events (every dbt model's materialisation, every test's check evaluation, each planned
first), which cost some 15–45 ms each, 20 s or more of a run. Dagster's databases are in WAL
mode, where `synchronous=NORMAL` is safe against a crashed or killed process (nothing committed
is lost or corrupted); only a power cut or kernel crash may lose the last commits. That is the
local event log's trade (the production instance, `deploy/dagster.yaml`, is PostgreSQL).

The pragma is per connection, and Dagster creates an engine per event, out of reach of
engine options: `commit_without_fsync` sets it on every SQLite connection SQLAlchemy opens in
this process. `import suanli` calls it, so every process that runs our assets (the CLI, a run
launched by the daemon or the UI) has it. (Not a `storage: custom` class in dagster.yaml: its
`base_dir` would come from the DAGSTER_HOME of whichever process reads the file, not from the
directory the file is in.)
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

PRAGMA = "pragma synchronous = normal"


def _set_pragma(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(PRAGMA)


def commit_without_fsync() -> None:
    """Every SQLite connection SQLAlchemy opens from now on in this process commits with
    `synchronous=NORMAL`. Idempotent."""
    if not event.contains(Engine, "connect", _set_pragma):
        event.listen(Engine, "connect", _set_pragma)

"""Dagster's SQLite storage (the local and test instances', `dagster_home/dagster.yaml`) without
an fsync per event, and without a new SQLAlchemy engine per event.

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

Dagster's SQLite event log also builds an SQLAlchemy engine for every connection it opens (four
per materialisation: the run's database and the cross-run index, each to store and to read
back), and closes each connection after one transaction; closing the last connection to a WAL
database checkpoints it. `reuse_event_log_engines` keeps one engine per database file in each
storage object instead, whose pool keeps its connection open between events (5 ms an event
became 2 ms on the 2-core machine: some 4 s of a full run's 1,300 events). The storage's own
lock still lets one connection work at a time, and concurrent writers in other processes still
meet SQLite's locking (an open connection in WAL mode holds no lock between transactions). A
storage keeps the engines of its MAX_ENGINES most recently used databases (a long-lived
webserver reads many runs' databases) and closes the kept connections before the process
forks (the report's chart workers), so that no child inherits one.

What remained of an event's cost was mostly lookups repeated for every event: whether the index
database has a table (a new engine and an inspection each time), and SQLAlchemy reading the
constructor arguments of a type's class for every new type object in a statement.
`remember_event_log_tables` and `memoise_type_arguments` keep those answers (the 642 events
stored after a full dbt build: 3.0 → 2.7 s under cProfile). `tune_event_log` applies all three.
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:  # Dagster is imported by what uses it, not by `import suanli`
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

PRAGMA = "pragma synchronous = normal"


def _set_pragma(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(PRAGMA)


def commit_without_fsync() -> None:
    """Every SQLite connection SQLAlchemy opens from now on in this process commits with
    `synchronous=NORMAL`. Idempotent."""
    if not event.contains(Engine, "connect", _set_pragma):
        event.listen(Engine, "connect", _set_pragma)


# Databases whose engine (and open connection) a storage keeps: the cross-run index, the
# runs in flight and the last few read.
MAX_ENGINES = 8

# Every engine made here, to close their connections before the process forks.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _close_kept_connections() -> None:
    """Before a fork: close the connections kept open, in the process that owns them, so
    that the child inherits none. SQLite forbids using a connection across fork(), and a
    child's garbage collector closing an inherited one crashed it (and may checkpoint the
    parent's WAL under it). The parent opens new ones as it needs them."""
    for engine in list(_ENGINES):
        engine.dispose()


def _engine_for(storage: SqliteEventLogStorage, shard: str) -> Engine:
    """The storage's engine for `shard`'s database file, made (and the file initialised) once
    while it is among the MAX_ENGINES most recently used."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
        SQLITE_BUSY_TIMEOUT_SECONDS,
    )

    engines: OrderedDict[str, Engine]
    engines = storage.__dict__.setdefault("_suanli_engines", OrderedDict())
    url = storage.conn_string_for_shard(shard)
    if shard not in storage._initialized_dbs and url in engines:
        # First use since `wipe()` deleted the run databases: not through a connection to
        # the deleted file.
        engines.pop(url).dispose()
    if url in engines:
        engines.move_to_end(url)
    else:
        # SQLAlchemy's default pool for an SQLite file, one connection kept open (more are
        # opened and closed when needed).
        engines[url] = create_engine(
            url, pool_size=1, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        )
        _ENGINES.add(engines[url])
        while len(engines) > MAX_ENGINES:
            engines.popitem(last=False)[1].dispose()
    if shard not in storage._initialized_dbs:
        storage._initdb(engines[url])
        storage._initialized_dbs.add(shard)
    return engines[url]


@contextmanager
def _connect(self: SqliteEventLogStorage, shard: str) -> Iterator[Connection]:
    """Dagster's `SqliteEventLogStorage._connect` (1.13), its engine reused."""
    with self._db_lock, _engine_for(self, shard).connect() as connection, connection.begin():
        yield connection


def reuse_event_log_engines() -> None:
    """Dagster's SQLite event log storages, from now on in this process, open their connections
    from one engine per database file. Idempotent. Called by `suanli.definitions` and the CLI,
    not on `import suanli`, which dbt's Python models do: Dagster takes 2 s to import."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    if SqliteEventLogStorage._connect is not _connect:
        os.register_at_fork(before=_close_kept_connections)
    SqliteEventLogStorage._connect = _connect  # type: ignore[method-assign]


def _has_table(self: SqliteEventLogStorage, table_name: str) -> bool:
    """Dagster's `SqliteEventLogStorage.has_table` (1.13), which makes a new engine and inspects
    the index database for every asset event and check evaluation it stores: a table found
    once is remembered by the storage until its `wipe` (a missing one is looked up each time)."""
    found: set[str] = self.__dict__.setdefault("_suanli_tables", set())
    if table_name not in found and _DAGSTER_HAS_TABLE(self, table_name):
        found.add(table_name)
    return table_name in found


def _wipe(self: SqliteEventLogStorage) -> None:
    self.__dict__.pop("_suanli_tables", None)
    _DAGSTER_WIPE(self)


_DAGSTER_HAS_TABLE: Any = None
_DAGSTER_WIPE: Any = None


def remember_event_log_tables() -> None:
    """Dagster's SQLite event log storages, from now on in this process, look each table up
    in their index database once (0.3 s of a full run's events). Idempotent."""
    global _DAGSTER_HAS_TABLE, _DAGSTER_WIPE
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    if SqliteEventLogStorage.has_table is not _has_table:
        _DAGSTER_HAS_TABLE = SqliteEventLogStorage.has_table
        _DAGSTER_WIPE = SqliteEventLogStorage.wipe
        SqliteEventLogStorage.has_table = _has_table  # type: ignore[method-assign]
        SqliteEventLogStorage.wipe = _wipe  # type: ignore[method-assign]


@cache
def _constructor_arguments(cls: type, raiseerr: bool) -> frozenset[str] | None:
    found = _SQLALCHEMY_CLS_KWARGS(cls, raiseerr=raiseerr)
    return None if found is None else frozenset(found)


def _get_cls_kwargs(
    cls: type, *, _set: set[str] | None = None, raiseerr: bool = False
) -> set[str] | None:
    """SQLAlchemy's `util.get_cls_kwargs`, its answer for a class kept (top-level calls)."""
    if _set is not None:  # its own recursion, collecting into `_set`
        return _SQLALCHEMY_CLS_KWARGS(cls, _set=_set, raiseerr=raiseerr)
    found = _constructor_arguments(cls, raiseerr)
    return None if found is None else set(found)


_SQLALCHEMY_CLS_KWARGS: Any = None


def memoise_type_arguments() -> None:
    """SQLAlchemy, from now on in this process, reads each type class's constructor arguments
    once. It reads them again for every type object it meets in a statement's cache key, and
    Dagster's event log inserts its values with new type objects: walking the `__init__`s of
    their classes took 0.35 s of a full run's events. The arguments are those of the class's
    code, which does not change while the process runs. Idempotent."""
    global _SQLALCHEMY_CLS_KWARGS
    import sqlalchemy.util
    from sqlalchemy.util import langhelpers

    if sqlalchemy.util.get_cls_kwargs is not _get_cls_kwargs:
        _SQLALCHEMY_CLS_KWARGS = langhelpers.get_cls_kwargs
        # where the type system reads it, and where the module's own helpers do
        sqlalchemy.util.get_cls_kwargs = _get_cls_kwargs
        langhelpers.get_cls_kwargs = _get_cls_kwargs


def tune_event_log() -> None:
    """All of the above but `commit_without_fsync` (which `import suanli` does): what a process
    that stores a run's events calls first."""
    reuse_event_log_engines()
    remember_event_log_tables()
    memoise_type_arguments()

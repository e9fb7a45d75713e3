"""The DuckDB warehouse as a Dagster resource: the work file, and the marts file BI reads.

DuckDB admits one writing process per file, and while one writes no other process may even
read it. Every step of ours that opens the work file (or runs dbt on it) first takes an
inter-process lock beside the file, so a second run waits its turn instead of failing on
DuckDB's lock; it gives up after `lock_timeout_seconds` with a message naming the holder.
BI tools never open the work file: they read the published marts file, which is replaced
atomically and never written in place (`suanli.publish`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from filelock import FileLock, Timeout

from suanli.paths import DEFAULT_ARCHIVE, published_marts_path, resolve_from_repo

# DuckDB 2.x writes a storage format 1.x cannot open; BI tools still bundle 1.x, so new
# files are created in the oldest format that has everything we use.
STORAGE_COMPATIBILITY_VERSION = "v1.1.0"

# One lock object per file and process, so nested use in one process is re-entrant.
_locks: dict[Path, FileLock] = {}
_locks_guard = threading.Lock()


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file."""


def _lock_for(file: Path) -> FileLock:
    with _locks_guard:
        if file not in _locks:
            _locks[file] = FileLock(file.with_name(file.name + ".lock"), thread_local=False)
        return _locks[file]


def _owner_file(file: Path) -> Path:
    return file.with_name(file.name + ".lock.owner")


def _describe_owner(file: Path) -> str:
    try:
        owner = json.loads(_owner_file(file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    return f"process {owner['pid']} ({owner['what']}, since {owner['since']} UTC)"


@contextmanager
def writer_lock(file: Path, timeout_seconds: float, what: str) -> Iterator[None]:
    """Hold the warehouse for one step; wait up to `timeout_seconds` for another holder."""
    file.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_for(file)
    outermost = not lock.is_locked
    try:
        lock.acquire(timeout=timeout_seconds)
    except Timeout as error:
        raise WarehouseBusy(
            f"warehouse {file} is in use by {_describe_owner(file)}; waited "
            f"{timeout_seconds:.0f} s for it (SUANLI_LOCK_TIMEOUT). Let that run finish, or "
            "cancel it, then start this one again."
        ) from error
    try:
        if outermost:
            since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            owner = {"pid": os.getpid(), "what": what, "since": since}
            _owner_file(file).write_text(json.dumps(owner), encoding="utf-8")
        yield
    finally:
        if outermost:
            _owner_file(file).unlink(missing_ok=True)
        lock.release()


class WarehouseResource(ConfigurableResource):
    """The work DuckDB file (raw, staging, intermediate, candidate marts), its delivery
    archive, and the published marts file BI tools read.

    `marts_path` empty means `<warehouse>_marts.duckdb` beside the work file (or SUANLI_MARTS).
    """

    path: str
    archive_dir: str = DEFAULT_ARCHIVE
    marts_path: str = ""
    lock_timeout_seconds: float = 1800.0

    @property
    def file(self) -> Path:
        return resolve_from_repo(self.path)

    @property
    def archive_path(self) -> Path:
        """Immutable copies of every delivery as received."""
        return resolve_from_repo(self.archive_dir)

    @property
    def published_path(self) -> Path:
        if self.marts_path:
            return resolve_from_repo(self.marts_path)
        return published_marts_path(self.file)

    @contextmanager
    def lock(self, what: str = "a suanli step") -> Iterator[None]:
        """Exclusive use of the work file, e.g. around a dbt invocation."""
        with writer_lock(self.file, self.lock_timeout_seconds, what):
            yield

    @contextmanager
    def connect(
        self, read_only: bool = False, what: str = "a suanli step"
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        file = self.file
        config: dict[str, str] = {}
        if not read_only:
            config["storage_compatibility_version"] = STORAGE_COMPATIBILITY_VERSION
        with self.lock(what):
            try:
                connection = duckdb.connect(str(file), read_only=read_only, config=config)
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                raise WarehouseBusy(
                    f"warehouse {file} is held open by a program outside the pipeline "
                    f"({error}). Close it there: BI tools and notebooks should read the "
                    f"published marts, {self.published_path}, which runs never lock."
                ) from error
            try:
                yield connection
            finally:
                connection.close()

    @contextmanager
    def connect_published(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read-only connection to the published marts (what reports and exports read)."""
        connection = duckdb.connect(str(self.published_path), read_only=True)
        try:
            yield connection
        finally:
            connection.close()

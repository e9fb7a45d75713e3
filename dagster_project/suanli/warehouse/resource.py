"""The DuckDB warehouse as a Dagster resource: the work file, and the marts file BI reads.

DuckDB admits one writer per file, and while one writes no other process may even read it.
A run holds the work file for its whole life: the resource takes the lock beside it
(`suanli.warehouse.lock`) when Dagster sets it up and releases it at teardown. With the
in-process executor, which every run uses (CLI, UI, sensors, backfills), Dagster sets the
run's resources up once, before its first step, and tears them down after its last
(`PlanExecutionContextManager` builds one resource context for the whole plan), so a second
run waits for the first to end instead of interleaving its steps with it. Each step takes the
lock again (re-entrant in the process) to record which step is running. BI tools never open
the work file: they read the published marts file, which is replaced atomically and never
written in place (`suanli.publish.marts`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from suanli.settings import ARCHIVE, published_marts_path, resolve_from_repo
from suanli.warehouse.lock import WarehouseBusy, at_step, writer_lock

__all__ = ["STORAGE_COMPATIBILITY_VERSION", "WarehouseBusy", "WarehouseResource", "writer_lock"]

# DuckDB 2.x writes a storage format 1.x cannot open; BI tools still bundle 1.x, so new
# files are created in the oldest format that has everything we use.
STORAGE_COMPATIBILITY_VERSION = "v1.1.0"


class WarehouseResource(ConfigurableResource):
    """The work DuckDB file (raw, staging, intermediate, candidate marts), its delivery
    archive, and the published marts file BI tools read.

    `marts_path` empty means `<warehouse>_marts.duckdb` beside the work file (or SUANLI_MARTS).
    """

    path: str
    archive_dir: str = ARCHIVE.default
    marts_path: str = ""
    lock_timeout_seconds: float = 1800.0

    _run_hold: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Take the work file for the whole run (waiting, and logging whom for, if need be)."""
        run = context.dagster_run
        what = f"run {run.run_id} of {run.job_name}" if run else "a suanli process"
        log = context.log.info if context.log else None
        hold = ExitStack()
        hold.enter_context(
            writer_lock(
                self.file,
                self.lock_timeout_seconds,
                what,
                run_id=run.run_id if run else None,
                log=log,
            )
        )
        self._run_hold = hold

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._run_hold is not None:
            self._run_hold.close()
            self._run_hold = None

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
        """Exclusive use of the work file for step `what`, e.g. around a dbt invocation; within
        a run (which holds the file already) this only records `what` as the current step."""
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
    def connect_published(
        self, what: str = "reading the published marts"
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read-only connection to the published marts (what reports and exports read). It
        needs no lock; within a run it records `what` as the current step."""
        with at_step(self.file, what):
            connection = duckdb.connect(str(self.published_path), read_only=True)
            try:
                yield connection
            finally:
                connection.close()

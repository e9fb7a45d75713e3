"""One writer at a time on the work file: an inter-process lock beside it, and who holds it.

DuckDB admits one writing process per file, and while one writes no other process may even
read it. A run takes this lock when its resources are set up and keeps it until they are torn
down (`WarehouseResource`), so two runs never interleave their steps; within the holding
process the lock is re-entrant, and each step takes it again only to record which step is
running. It is an flock: the operating system releases it when its holder dies, kill -9
included, so a killed run never blocks the next one.

Beside the lock, an owner file says who holds it (run, process, step, since when): a waiting
run logs it every `WAIT_LOG_SECONDS` and names it when it gives up.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

WAIT_LOG_SECONDS = 30.0

logger = logging.getLogger(__name__)

# One lock object per file and process, so nested use in one process is re-entrant.
_locks: dict[Path, FileLock] = {}
_locks_guard = threading.Lock()


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file."""


@dataclass(frozen=True)
class Owner:
    """Who holds the lock: a run (`run_id`) or another program (`what` says which)."""

    pid: int
    what: str
    since: str
    run_id: str | None = None
    step: str | None = None
    step_since: str | None = None

    def describe(self) -> str:
        at_step = f"; at {self.step} since {self.step_since} UTC" if self.step else ""
        return f"process {self.pid} ({self.what}, since {self.since} UTC{at_step})"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _lock_for(file: Path) -> FileLock:
    with _locks_guard:
        if file not in _locks:
            _locks[file] = FileLock(file.with_name(file.name + ".lock"), thread_local=False)
        return _locks[file]


def owner_path(file: Path) -> Path:
    return file.with_name(file.name + ".lock.owner")


def read_owner(file: Path) -> Owner | None:
    try:
        return Owner(**json.loads(owner_path(file).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _write_owner(file: Path, owner: Owner) -> None:
    # Replaced whole, so that a waiting process never reads half of it.
    partial = owner_path(file).with_name(f"{owner_path(file).name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(asdict(owner)), encoding="utf-8")
    os.replace(partial, owner_path(file))


def describe_owner(file: Path) -> str:
    owner = read_owner(file)
    return owner.describe() if owner else "another process"


def _acquire(lock: FileLock, file: Path, timeout_seconds: float, log: Callable[[str], None]):
    started = time.monotonic()
    wait = 0.0  # the first attempt does not wait, so that whom we wait for is said at once
    while True:
        try:
            lock.acquire(timeout=wait)
            return
        except Timeout:
            pass
        waited = time.monotonic() - started
        if waited >= timeout_seconds:
            raise WarehouseBusy(
                f"warehouse {file} is in use by {describe_owner(file)}; waited "
                f"{timeout_seconds:.0f} s for it (SUANLI_LOCK_TIMEOUT). Let that run finish, or "
                "cancel it, then start this one again."
            )
        log(
            f"waiting for warehouse {file}: in use by {describe_owner(file)}; waited "
            f"{waited:.0f} s of {timeout_seconds:.0f} s (SUANLI_LOCK_TIMEOUT)"
        )
        wait = min(WAIT_LOG_SECONDS, timeout_seconds - waited)


@contextmanager
def at_step(file: Path, step: str) -> Iterator[None]:
    """Record the step this process (already holding the lock) is at, until it ends."""
    owner = read_owner(file)
    if owner is None or owner.pid != os.getpid():
        yield
        return
    _write_owner(file, replace(owner, step=step, step_since=_now()))
    try:
        yield
    finally:
        _write_owner(file, owner)


@contextmanager
def writer_lock(
    file: Path,
    timeout_seconds: float,
    what: str,
    *,
    run_id: str | None = None,
    log: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse; wait up to `timeout_seconds` for another holder, saying whom for.

    Nested in this process's own hold (a step inside its run), it waits for nothing and only
    records `what` as the current step.
    """
    file.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_for(file)
    if lock.is_locked:
        with lock, at_step(file, what):
            yield
        return
    _acquire(lock, file, timeout_seconds, log or logger.info)
    try:
        _write_owner(file, Owner(os.getpid(), what, _now(), run_id=run_id))
        yield
    finally:
        owner_path(file).unlink(missing_ok=True)
        lock.release()

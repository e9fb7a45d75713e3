"""The folders dagster-dbt leaves behind: one per build, under dbt's target path.

dagster-dbt gives every `dbt build` a target folder of its own (`<op>-<run id>-<uuid>`: the
partial-parse file it starts from, the compiled and run SQL, dbt.log), some 5 MB each. Nothing
reads them after the build but a person tracing one, and a data engineer's day of runs piled
up gigabytes. After each build the step keeps the KEEP most recent and any written to in the
last QUIET_SECONDS (another run's build may be under way in the same project: the test lanes
run many at once), and removes the others.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

KEEP = 10
QUIET_SECONDS = 3600


def last_written(folder: Path) -> float | None:
    """When the folder or its log last changed (dbt writes dbt.log throughout a build); None
    when it is gone (another run's step removed it meanwhile)."""
    times = []
    for path in (folder, folder / "dbt.log"):
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    return max(times) if folder.is_dir() and times else None


def prune_build_folders(
    target: Path, op_name: str, keep: int = KEEP, quiet_seconds: float = QUIET_SECONDS
) -> list[Path]:
    """Remove `op_name`'s build folders under `target` but the `keep` most recent and those
    written to in the last `quiet_seconds`; the folders removed."""
    found = {folder: last_written(folder) for folder in target.glob(f"{op_name}-*")}
    written = {folder: when for folder, when in found.items() if when is not None}
    newest_first = sorted(written, key=written.__getitem__, reverse=True)
    cutoff = time.time() - quiet_seconds
    removed = [folder for folder in newest_first[keep:] if written[folder] < cutoff]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed

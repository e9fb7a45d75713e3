"""The folders dagster-dbt leaves behind: one per build, under dbt's target path.

dagster-dbt gives every `dbt build` a target folder of its own (`<op>-<run id>-<uuid>`: the
partial-parse file it starts from, the compiled and run SQL, dbt.log), some 5 MB each. Nothing
reads them after the build but a person tracing one, and a data engineer's day of runs piled
up gigabytes. After each build the step keeps the KEEP most recent and any written to in the
last QUIET_SECONDS (another run's build may be under way in the same project: the test lanes
run many at once), and removes the others.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

KEEP = 10
QUIET_SECONDS = 3600


def last_written(folder: Path) -> float:
    """When the folder or its log last changed (dbt writes dbt.log throughout a build)."""
    times = [folder.stat().st_mtime]
    log = folder / "dbt.log"
    if log.exists():
        times.append(log.stat().st_mtime)
    return max(times)


def prune_build_folders(
    target: Path, op_name: str, keep: int = KEEP, quiet_seconds: float = QUIET_SECONDS
) -> list[Path]:
    """Remove `op_name`'s build folders under `target` but the `keep` most recent and those
    written to in the last `quiet_seconds`; the folders removed."""
    folders = [path for path in target.glob(f"{op_name}-*") if path.is_dir()]
    written = {folder: last_written(folder) for folder in folders}
    newest_first = sorted(folders, key=written.__getitem__, reverse=True)
    cutoff = time.time() - quiet_seconds
    removed = [folder for folder in newest_first[keep:] if written[folder] < cutoff]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed

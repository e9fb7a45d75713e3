"""Is a run needed? Nothing is recomputed when nothing it depends on has changed.

A run's inputs are the deliveries waiting in the landing location and the project itself (the
pipeline's code, the dbt project, the GX suites, the index definitions, the reference seeds,
the audit's uncertainty file).
`inputs_fingerprint` digests them all; the command line tags each run with it
(`suanli/inputs`). When the last successful run with the same fingerprint covered the years
asked for, no run came after it, and the work file, the published file, the exports and the
report are all still there, a new run would recompute the same numbers: `python
-m suanli.cli materialize` says so and starts none (`--force` runs anyway).

Conservative on purpose: a landing location at a URL cannot be digested without downloading
it (the run does that), so its fingerprint is unknown and a run always starts. So
does one after a change no file shows (an environment setting such as `SUANLI_MAX_CELL_CHARS`):
`--force` is for that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from suanli.settings import (
    DBT_PROJECT_DIR,
    EXPECTATIONS_DIR,
    REPO_ROOT,
    SEEDS_DIR,
    uncertainty_file,
)

INPUTS_TAG = "suanli/inputs"
# A run asked to recompute although its inputs are unchanged (`materialize --force`).
FORCE_TAG = "suanli/force"

# What the numbers depend on besides the deliveries. dbt's target/ and logs/ are outputs.
PROJECT_INPUTS = (
    REPO_ROOT / "dagster_project" / "suanli",
    DBT_PROJECT_DIR / "models",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "seeds",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
    DBT_PROJECT_DIR / "profiles.yml",
    EXPECTATIONS_DIR,
    SEEDS_DIR / "reference",
)
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}


def _files(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not SKIPPED_PARTS.intersection(path.parts):
            yield path


def tree_digest(roots: Sequence[Path]) -> str:
    """sha256 over every file's path (relative to its root) and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for root in roots:
        digest.update(f"\0root {root.name}\0".encode())
        for path in _files(root):
            relative = path.relative_to(root).as_posix() if root.is_dir() else path.name
            digest.update(f"{relative}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def inputs_fingerprint(
    landing_directories: Sequence[Path | None], index_systems: Path
) -> str | None:
    """The digest of everything a run reads; None when a landing location is a URL."""
    if any(directory is None for directory in landing_directories):
        return None
    landing = sorted({directory for directory in landing_directories if directory is not None})
    return tree_digest([*PROJECT_INPUTS, index_systems, uncertainty_file(), *landing])


@dataclass(frozen=True)
class Outputs:
    """What a run leaves for people: the work file, the published marts, exports, report."""

    warehouse: Path
    published: Path
    workbook: Path
    report: Path

    def missing(self) -> list[Path]:
        return [path for path in (self.warehouse, self.published, self.workbook, self.report)
                if not path.exists()]  # fmt: skip


def dbt_inputs(deliveries: Iterable[Mapping[str, str | None]], index_systems: Path) -> str:
    """The digest of what dbt reads: the deliveries in force (by their bytes' sha256) and the
    project. A build recorded with the same digest (`suanli.transform.builds`) needs no rebuild."""
    digest = hashlib.sha256(
        tree_digest([*PROJECT_INPUTS, index_systems, uncertainty_file()]).encode()
    )
    for source, partition, sha256 in sorted(
        (d["source"] or "", d["partition"] or "", d["sha256"] or "") for d in deliveries
    ):
        digest.update(f"{source}\0{partition}\0{sha256}\n".encode())
    return digest.hexdigest()


def up_to_date_reason(
    *,
    fingerprint: str | None,
    last_run_id: str | None,
    last_run_years: Sequence[str],
    latest_run_id: str | None,
    years: Sequence[str],
    outputs: Outputs,
) -> tuple[bool, str]:
    """(whether a run can be skipped, why or why not), from what was found."""
    if fingerprint is None:
        return False, "a landing location is a URL: its files are only known by fetching them"
    if last_run_id is None:
        return False, "no successful run has read these deliveries with this code"
    if not set(years) <= set(last_run_years):
        return False, f"run {last_run_id} did not cover every year asked for"
    if missing := outputs.missing():
        return False, f"missing since run {last_run_id}: {', '.join(map(str, missing))}"
    if latest_run_id != last_run_id:
        return False, f"run {latest_run_id} came after run {last_run_id}"
    return True, (
        f"nothing changed since run {last_run_id}: same deliveries, same code, marts, exports "
        "and report in place"
    )

"""Runs of `python -m suanli.cli materialize --years 2025` on a copy of the session's first run,
and what they leave: shared by the stories of runs that die (test_write_audit_publish), runs
that collide (test_concurrent_runs), publication alone (test_publication_gate) and partial
rebuilds (test_partial_rebuild)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from suanli.transform.builds import MartsBuild, latest_marts_build

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_ID = re.compile(r"\(run ([0-9a-f-]{36})\)")


def paths(environment: dict[str, str]) -> tuple[Path, Path]:
    """The work file and the published marts of an environment."""
    work = Path(environment["SUANLI_WAREHOUSE"])
    return work, work.with_name(f"{work.stem}_marts{work.suffix}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def marts_build(work: Path) -> MartsBuild:
    """The latest marts build on record in a work file."""
    # Closed before the next run: DuckDB lets no writer in while another process reads.
    with duckdb.connect(str(work), read_only=True) as connection:
        build = latest_marts_build(connection)
    assert build is not None
    return build


def start_run(
    environment: dict[str, str], force: bool = True, own_group: bool = False
) -> subprocess.Popen[str]:
    """A run of 2025, forced by default (the copy's inputs are unchanged: unforced, nothing
    would run); unforced, a run of a changed landing rebuilds what reads the changed source.
    In a process group of its own when it is to be killed with its dbt (`os.killpg`); such a
    run starts its own interpreter, not a fork of the session's server (suanli.zygote)."""
    flags = ["--force"] if force else []
    return subprocess.Popen(
        [sys.executable, "-m", "suanli.cli", "materialize", "--years", "2025", *flags],
        env=environment, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=own_group,
    )  # fmt: skip

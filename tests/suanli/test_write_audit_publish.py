"""Whole runs against a copy of the session's warehouse: what readers see when a run dies, and
what a writer is told when another holds the work file (two runs at once:
test_concurrent_runs).

Each test works on a copy of the session's first run (`copied_warehouse`) and starts
`python -m suanli.cli materialize --years 2025` on it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from cli_runs import paths, sha256, start_run
from dagster import DagsterInstance, DagsterRunStatus

from suanli.publish.marts import last_publication
from suanli.warehouse.resource import writer_lock

pytestmark = pytest.mark.integration


def scores(published: Path) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as reader:
        return reader.execute(
            "select system_code, year, unit_code, node_code, score, rank "
            "from marts.fct_index_scores order by all"
        ).fetchall()


def test_kill_9_while_dbt_writes_leaves_the_published_marts_readable_and_unchanged(
    copied_warehouse: dict[str, str],
) -> None:
    """…and the next run recovers, although a BI tool keeps the published file open all along
    and another writer holds the warehouse when it starts (one run serves both stories)."""
    work, published = paths(copied_warehouse)
    before, before_scores = sha256(published), scores(published)
    before_run = last_publication(published)["run_id"]
    owner = work.with_name(work.name + ".lock.owner")

    run = start_run(copied_warehouse, own_group=True)  # killed with its dbt below
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and run.poll() is None:
        if owner.exists() and "dbt build" in owner.read_text(encoding="utf-8"):
            break
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before dbt build started:\n" + run.stdout.read()
    time.sleep(2)  # dbt is now rewriting the year's tables in the work file
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)

    assert sha256(published) == before
    assert scores(published) == before_scores
    assert last_publication(published)["run_id"] == before_run

    # The recovery run: the killed run's leftovers (WAL, lock files) do not get in its way, nor
    # does a BI reader of the published file, and it waits for another writer to finish.
    reader = duckdb.connect(str(published), read_only=True)
    released = threading.Event()

    def hold_the_warehouse_for_a_while() -> None:
        with writer_lock(work, timeout_seconds=5, what="another writer"):
            time.sleep(8)
        released.set()

    holder = threading.Thread(target=hold_the_warehouse_for_a_while)
    holder.start()
    time.sleep(0.5)
    try:
        again = start_run(copied_warehouse)
        output, _ = again.communicate(timeout=600)
    finally:
        holder.join()
        still_readable = reader.execute("select count(*) from marts.fct_index_scores").fetchone()
        reader.close()

    assert released.is_set() and still_readable[0] > 0
    assert again.returncode == 0, output[-4000:]
    # Same deliveries, same marts: the recovered run leaves the published file as it was.
    assert last_publication(published)["run_id"] == before_run
    assert sha256(published) == before and scores(published) == before_scores
    with DagsterInstance.from_config(copied_warehouse["DAGSTER_HOME"]) as instance:
        statuses = {run.run_id: run.status for run in instance.get_runs()}
    assert DagsterRunStatus.STARTED not in statuses.values(), "the killed run is not left running"
    assert list(statuses.values()).count(DagsterRunStatus.FAILURE) == 1
    assert "marked run" in output and "failed: its process was gone" in output


def test_a_writer_that_does_not_finish_in_time_fails_with_the_holders_name(
    copied_warehouse: dict[str, str],
) -> None:
    work, published = paths(copied_warehouse)
    before = sha256(published)
    with writer_lock(work, timeout_seconds=5, what="a long backfill"):
        run = start_run({**copied_warehouse, "SUANLI_LOCK_TIMEOUT": "3"})
        output, _ = run.communicate(timeout=600)

    assert run.returncode != 0
    assert f"is in use by process {os.getpid()} (a long backfill, since " in output
    assert "waited 3 s for it (SUANLI_LOCK_TIMEOUT)" in output
    assert sha256(published) == before


HOLD_OPEN = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(120)
"""


def test_a_program_holding_the_work_file_open_gets_a_clear_message(
    copied_warehouse: dict[str, str],
) -> None:
    work, published = paths(copied_warehouse)
    before = sha256(published)
    notebook = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(work)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert notebook.stdout.readline().strip() == "open"
        run = start_run(copied_warehouse)
        output, _ = run.communicate(timeout=600)
    finally:
        notebook.kill()
        notebook.wait()

    assert run.returncode != 0
    assert f"warehouse {work} is held open by a program outside the pipeline" in output
    assert f"should read the published marts, {published}" in output
    assert sha256(published) == before

"""Whole runs against a copy of the session's warehouse: what readers see when runs die or collide.

Each test works on a copy of the session's first run (`copied_warehouse`) and starts
`python -m suanli.cli materialize --years 2025` on it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from suanli.builds import publications
from suanli.publish import last_publication
from suanli.resources.warehouse import writer_lock

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_ID = re.compile(r"\(run ([0-9a-f-]{36})\)")
pytestmark = pytest.mark.integration


def paths(environment: dict[str, str]) -> tuple[Path, Path]:
    work = Path(environment["SUANLI_WAREHOUSE"])
    return work, work.with_name(f"{work.stem}_marts{work.suffix}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_run(environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "suanli.cli", "materialize", "--years", "2025", "--force"],
        env=environment, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,  # its own process group: dbt dies with it
    )  # fmt: skip


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

    run = start_run(copied_warehouse)
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


def landing_with_network_users(root: Path, users: str) -> tuple[Path, str]:
    """A copy of the snapshot whose 2025 network delivery gives 北京 `users` private-line users;
    returns it and the sha256 of that delivery."""
    landing = root / f"landing_{users}"
    shutil.copytree(REPO_ROOT / "seeds" / "snapshot", landing)
    network = landing / "network_stats" / "network_stats_2025.csv"
    original = network.read_text(encoding="utf-8")
    changed = original.replace(
        "北京,2025,12,21783268,83.8,370971,", f"北京,2025,12,21783268,83.8,{users},"
    )
    assert changed != original
    network.write_text(changed, encoding="utf-8")
    return landing, sha256(network)


def step_window(instance: DagsterInstance, run_id: str) -> tuple[float, float]:
    """From the run's first step start to its last step end, as the event log has them."""
    events = instance.all_logs(
        run_id,
        of_type={
            DagsterEventType.STEP_START,
            DagsterEventType.STEP_SUCCESS,
            DagsterEventType.STEP_FAILURE,
        },
    )
    return min(event.timestamp for event in events), max(event.timestamp for event in events)


def test_two_runs_started_together_take_turns_and_each_publishes_its_own_deliveries(
    copied_warehouse: dict[str, str], tmp_path: Path
) -> None:
    work, published = paths(copied_warehouse)
    # Each run lands its own correction, so a publication of marts built from the other run's
    # deliveries would show.
    landings = [landing_with_network_users(tmp_path, users) for users in ("370998", "370997")]

    runs = [
        start_run({**copied_warehouse, "SUANLI_LANDING": str(landing)}) for landing, _ in landings
    ]
    outputs = [run.communicate(timeout=900)[0] for run in runs]

    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-4000:]
    run_ids = [RUN_ID.search(output.splitlines()[-1]).group(1) for output in outputs]
    network_of = {run_id: sha for run_id, (_, sha) in zip(run_ids, landings, strict=True)}
    with DagsterInstance.from_config(copied_warehouse["DAGSTER_HOME"]) as instance:
        windows = {run_id: step_window(instance, run_id) for run_id in run_ids}
    first, second = sorted(run_ids, key=lambda run_id: windows[run_id][0])
    assert windows[first][1] < windows[second][0], f"steps interleave: {windows}"
    waited = outputs[run_ids.index(second)]
    assert (
        f"waiting for warehouse {work}: in use by process {runs[run_ids.index(first)].pid} "
        f"(run {first} of materialize_all, since "
    ) in waited
    assert "waiting for warehouse" not in outputs[run_ids.index(first)]

    with duckdb.connect(str(work), read_only=True) as connection:
        history = publications(connection)[-2:]
    assert [publication["run_id"] for publication in history] == [first, second]
    for publication in history:
        assert publication["built_by_run"] == publication["run_id"]
        (network,) = [
            delivery
            for delivery in publication["deliveries"]
            if delivery["source"] == "network_stats" and delivery["partition"] == "2025"
        ]
        assert network["sha256"] == network_of[publication["run_id"]]
    assert last_publication(published)["deliveries"] == history[-1]["deliveries"]
    assert last_publication(published)["run_id"] == second

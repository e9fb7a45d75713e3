"""The work file's lock: a run holds it from setup to teardown, steps say where it is, and a
writer that has to wait says whom for, until it gets the file or gives up naming the holder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import asset, materialize

from suanli.warehouse import lock
from suanli.warehouse.lock import WarehouseBusy, owner_path, read_owner, writer_lock
from suanli.warehouse.resource import WarehouseResource

HOLD = """
import sys, time
from pathlib import Path
from suanli.warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1]), 5, "a long backfill", run_id="run-1"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""

TRY = """
import sys
from pathlib import Path
from suanli.warehouse.lock import WarehouseBusy, writer_lock
try:
    with writer_lock(Path(sys.argv[1]), 0, "an intruder"):
        print("got it")
except WarehouseBusy as error:
    print(error)
"""


def hold(file: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(file), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_run_holds_the_file_from_its_first_step_to_its_last(tmp_path: Path) -> None:
    work = tmp_path / "work.duckdb"
    seen: dict[str, object] = {}

    @asset
    def writes(warehouse: WarehouseResource) -> None:
        with warehouse.lock("writes"):
            seen["in_step"] = read_owner(work)

    @asset(deps=[writes])
    def only_reads_the_published_file(warehouse: WarehouseResource) -> None:
        # No lock taken by this step, yet another process cannot get in.
        seen["between_steps"] = read_owner(work)
        seen["intruder"] = subprocess.run(
            [sys.executable, "-c", TRY, str(work)], capture_output=True, text=True, check=True
        ).stdout

    result = materialize(
        [writes, only_reads_the_published_file],
        resources={"warehouse": WarehouseResource(path=str(work))},
    )

    assert result.success
    in_step, between = seen["in_step"], seen["between_steps"]
    assert (in_step.pid, in_step.run_id, in_step.step) == (os.getpid(), result.run_id, "writes")
    assert in_step.what == f"run {result.run_id} of __ephemeral_asset_job__"
    assert between.run_id == result.run_id and between.step is None
    assert f"is in use by process {os.getpid()} (run {result.run_id} of" in seen["intruder"]
    assert not owner_path(work).exists(), "released at teardown"
    with writer_lock(work, 0, "the next run"):
        pass


def test_a_waiting_writer_says_whom_it_waits_for_then_gets_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "WAIT_LOG_SECONDS", 0.3)
    work = tmp_path / "work.duckdb"
    holder = hold(work, 1.5)
    said: list[str] = []
    try:
        with writer_lock(work, 30, "the second run", run_id="run-2", log=said.append):
            owner = json.loads(owner_path(work).read_text(encoding="utf-8"))
    finally:
        holder.wait(timeout=30)

    assert owner["run_id"] == "run-2" and owner["pid"] == os.getpid()
    assert len(said) >= 3, said
    waiting = f"waiting for warehouse {work}: in use by process {holder.pid} (a long backfill, "
    assert all(
        line.startswith(waiting) and "of 30 s (SUANLI_LOCK_TIMEOUT)" in line for line in said
    ), said


def test_a_writer_gives_up_after_the_timeout_naming_the_holder(tmp_path: Path) -> None:
    work = tmp_path / "work.duckdb"
    holder = hold(work, 60)
    try:
        with pytest.raises(WarehouseBusy) as refused, writer_lock(work, 1, "the second run"):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert f"is in use by process {holder.pid} (a long backfill, since " in str(refused.value)
    assert "waited 1 s for it (SUANLI_LOCK_TIMEOUT)" in str(refused.value)


def test_a_holder_killed_with_kill_9_releases_the_file(tmp_path: Path) -> None:
    work = tmp_path / "work.duckdb"
    holder = hold(work, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert read_owner(work).pid == holder.pid, "its owner file is left behind"

    with writer_lock(work, 0, "the recovery run", run_id="run-3"):
        assert read_owner(work).run_id == "run-3"

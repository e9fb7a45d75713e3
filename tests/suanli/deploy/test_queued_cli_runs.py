"""`python -m suanli.cli materialize --queue` submits the run to the instance's run queue (what
`dagster job launch` does) instead of executing it: the queue's limits then cover it. Without a
daemon to dequeue it, the run waits in the queue and nothing is built."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

QUEUED_INSTANCE = """
telemetry:
  enabled: false
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
"""


def test_a_queued_materialize_waits_in_the_run_queue(
    fresh_run_locations, cli, env: dict[str, str], tmp_path: Path
) -> None:
    from dagster import DagsterInstance, DagsterRunStatus

    from suanli.intake.sensor import RANGE_END_TAG, RANGE_START_TAG
    from suanli.terminal.materialize import PID_TAG

    locations = fresh_run_locations(tmp_path)
    home = Path(locations["DAGSTER_HOME"])
    (home / "dagster.yaml").write_text(QUEUED_INSTANCE, encoding="utf-8")
    result = cli({**env, **locations}, "materialize", "--queue", "--years", "2025")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "materialize_all 2025…2025 submitted to the run queue (run " in result.stdout
    with DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
    assert run.status == DagsterRunStatus.QUEUED
    assert run.run_id in result.stdout
    assert (run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]) == ("2025", "2025")
    assert PID_TAG not in run.tags  # no process of ours runs it
    assert not Path(locations["SUANLI_WAREHOUSE"]).exists()

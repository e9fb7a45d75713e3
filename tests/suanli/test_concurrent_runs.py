"""Two runs started together on a copy of the session's warehouse: they take turns, and each
publishes the marts of its own deliveries."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from cli_runs import REPO_ROOT, RUN_ID, paths, sha256, start_run
from dagster import DagsterEventType, DagsterInstance

from suanli.publish.marts import last_publication
from suanli.terminal.materialize import PID_TAG
from suanli.transform.builds import publications

pytestmark = pytest.mark.integration


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

    # Unforced: each rebuilds what reads the network deliveries (the second, on the first's
    # build, or every asset of 2025 if the first held the work file when it planned).
    runs = [
        start_run({**copied_warehouse, "SUANLI_LANDING": str(landing)}, force=False)
        for landing, _ in landings
    ]
    outputs = [run.communicate(timeout=900)[0] for run in runs]

    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-4000:]
    run_ids = [RUN_ID.search(output).group(1) for output in outputs]
    network_of = {run_id: sha for run_id, (_, sha) in zip(run_ids, landings, strict=True)}
    with DagsterInstance.from_config(copied_warehouse["DAGSTER_HOME"]) as instance:
        windows = {run_id: step_window(instance, run_id) for run_id in run_ids}
        # the process that ran it (the command's own, or its fork in the session's server)
        pid_of = {run_id: instance.get_run_by_id(run_id).tags[PID_TAG] for run_id in run_ids}
    first, second = sorted(run_ids, key=lambda run_id: windows[run_id][0])
    assert windows[first][1] < windows[second][0], f"steps interleave: {windows}"
    waited = outputs[run_ids.index(second)]
    assert (
        f"waiting for warehouse {work}: in use by process {pid_of[first]} "
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

"""The local instance's SQLite storage, once `suanli` is imported: Dagster's as configured in
dagster_home/dagster.yaml, committing without an fsync each (synchronous=NORMAL in WAL mode)."""

import shutil
from pathlib import Path

from dagster import DagsterInstance, job, op

import suanli  # noqa: F401  (what it does on import is under test)
from suanli.settings import REPO_ROOT

NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL


@op
def nothing() -> None:
    pass


@job
def one_step() -> None:
    nothing()


def test_the_repository_instance_runs_and_commits_without_waiting_for_the_disk(tmp_path: Path):
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        result = one_step.execute_in_process(instance=instance)
        assert result.success
        (record,) = instance.get_run_records()
        assert record.dagster_run.run_id == result.run_id
        assert instance.all_logs(result.run_id)
        connect = instance.event_log_storage._connect  # Dagster's own connection
        with connect(result.run_id) as connection:
            assert connection.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("pragma synchronous").scalar() == NORMAL

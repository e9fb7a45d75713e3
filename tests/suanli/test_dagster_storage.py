"""The local instance's SQLite storage, once `suanli` is imported: Dagster's as configured in
dagster_home/dagster.yaml, committing without an fsync each (synchronous=NORMAL in WAL mode);
and, once suanli.definitions is, storing events through one engine per database file."""

import shutil
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance, job, op

import suanli  # noqa: F401  (what it does on import is under test)
from suanli.dagster_storage import reuse_event_log_engines
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


def test_the_event_log_opens_its_connections_from_one_engine_per_database(tmp_path: Path):
    reuse_event_log_engines()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        first = one_step.execute_in_process(instance=instance)
        second = one_step.execute_in_process(instance=instance)
        assert first.success and second.success
        storage = instance.event_log_storage
        engines = storage.__dict__["_suanli_engines"]
        # one per run's database and the cross-run index, however many events each stored
        assert len(engines) == 3
        assert len(instance.all_logs(first.run_id)) > 5
        with storage.run_connection(second.run_id) as connection:
            assert connection.engine is engines[storage.conn_string_for_shard(second.run_id)]
            assert connection.exec_driver_sql("pragma synchronous").scalar() == NORMAL
        events = [event.dagster_event_type for event in instance.all_logs(second.run_id)]
        assert DagsterEventType.RUN_SUCCESS in events

"""The local instance's SQLite storage: Dagster's layout under DAGSTER_HOME, commits without an
fsync each (synchronous=NORMAL in WAL mode)."""

import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance, job, op
from sqlalchemy import create_engine, text

from suanli.dagster_storage import SqliteStorage
from suanli.settings import REPO_ROOT

NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL


@op
def nothing() -> None:
    pass


@job
def one_step() -> None:
    nothing()


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def test_the_repository_instance_uses_it_in_dagsters_layout(instance, tmp_path: Path):
    assert isinstance(instance.get_ref().storage, SqliteStorage)
    result = one_step.execute_in_process(instance=instance)

    assert result.success
    (record,) = instance.get_run_records()
    assert record.dagster_run.run_id == result.run_id
    assert instance.all_logs(result.run_id)
    # Where Dagster's default SQLite storage keeps runs, events and schedules.
    assert (tmp_path / "history" / "runs.db").is_file()
    assert (tmp_path / "history" / "runs" / f"{result.run_id}.db").is_file()
    assert (tmp_path / "schedules" / "schedules.db").is_file()


def test_every_sqlite_connection_then_commits_without_waiting_for_the_disk(instance, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'history' / 'runs.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("pragma journal_mode")).scalar() == "wal"
        assert connection.execute(text("pragma synchronous")).scalar() == NORMAL
    engine.dispose()

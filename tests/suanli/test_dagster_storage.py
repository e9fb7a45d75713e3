"""The local instance's SQLite storage, once `suanli` is imported: Dagster's as configured in
dagster_home/dagster.yaml, committing without an fsync each (synchronous=NORMAL in WAL mode);
and, once suanli.definitions is, storing events through one engine per database file whose
connection stays open between events, each table of the index looked up once, each SQLAlchemy
type class's arguments read once."""

import multiprocessing
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, job, op
from dagster._core.events.log import EventLogEntry

import suanli  # noqa: F401  (what it does on import is under test)
from suanli import dagster_storage
from suanli.dagster_storage import (
    MAX_ENGINES,
    memoise_type_arguments,
    remember_event_log_tables,
    reuse_event_log_engines,
)
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
        # kept open between events, not opened and closed (and checkpointed) for each
        assert engines[storage.conn_string_for_shard(second.run_id)].pool.checkedin() == 1


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    reuse_event_log_engines()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def test_only_the_most_recently_used_databases_keep_an_engine(instance: DagsterInstance):
    runs = [one_step.execute_in_process(instance=instance).run_id for _ in range(MAX_ENGINES + 2)]
    engines = instance.event_log_storage.__dict__["_suanli_engines"]
    assert len(engines) == MAX_ENGINES
    # a run whose engine was let go is read (and written) through a new one
    assert DagsterEventType.RUN_SUCCESS in {
        e.dagster_event_type for e in instance.all_logs(runs[0])
    }
    assert len(engines) == MAX_ENGINES


def test_after_a_wipe_events_go_to_the_new_database_not_the_deleted_one(
    instance: DagsterInstance,
):
    first = one_step.execute_in_process(instance=instance)
    instance.wipe()  # deletes the runs' database files
    assert not instance.all_logs(first.run_id)
    line = EventLogEntry(
        error_info=None, level=20, user_message="after the wipe", run_id=first.run_id,
        timestamp=time.time(), job_name="one_step",
    )  # fmt: skip
    instance.event_log_storage.store_event(line)
    assert [event.user_message for event in instance.all_logs(first.run_id)] == ["after the wipe"]


# The instance a forked child inherits (a module global: fork copies it, nothing is pickled).
_inherited: list[DagsterInstance] = []


def _in_child(run_id: str) -> tuple[int, int]:
    """(connections the child inherited open, events it then reads of the run)."""
    engines = _inherited[0].event_log_storage.__dict__["_suanli_engines"].values()
    inherited_open = sum(engine.pool.checkedin() for engine in engines)
    return inherited_open, len(_inherited[0].all_logs(run_id))


def test_a_forked_child_inherits_no_open_connection_and_the_parent_goes_on(
    instance: DagsterInstance,
):
    run = one_step.execute_in_process(instance=instance)
    stored = len(instance.all_logs(run.run_id))
    engines = instance.event_log_storage.__dict__["_suanli_engines"].values()
    assert sum(engine.pool.checkedin() for engine in engines) > 0  # kept open until the fork
    _inherited[:] = [instance]
    # Closed and joined, not terminated (the pool's `with`): pytest-xdist's workers ignore
    # SIGTERM, and so do their forks: a terminate that found the child waiting for the task
    # queue's lock, which terminate itself holds, waited for the child for ever (a CI run hung
    # there).
    pool = multiprocessing.get_context("fork").Pool(1)
    try:
        assert pool.apply(_in_child, (run.run_id,)) == (0, stored)
    finally:
        pool.close()
        pool.join()
        _inherited.clear()
    again = one_step.execute_in_process(instance=instance)
    success = DagsterEventType.RUN_SUCCESS
    assert success in {event.dagster_event_type for event in instance.all_logs(again.run_id)}
    assert len(instance.all_logs(run.run_id)) == stored


def test_a_table_found_in_the_index_is_looked_up_once_until_a_wipe(
    instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember_event_log_tables()
    lookups: list[str] = []

    def counted(storage: object, table_name: str) -> bool:
        lookups.append(table_name)
        return original(storage, table_name)

    original = dagster_storage._DAGSTER_HAS_TABLE
    monkeypatch.setattr(dagster_storage, "_DAGSTER_HAS_TABLE", counted)
    storage = instance.event_log_storage
    assert storage.has_table("asset_check_executions")
    assert storage.has_table("asset_check_executions")
    assert not storage.has_table("no_such_table")
    assert not storage.has_table("no_such_table")  # a missing table is looked up each time
    assert lookups == ["asset_check_executions", "no_such_table", "no_such_table"]
    one_step.execute_in_process(instance=instance)  # events stored with the remembered tables
    instance.wipe()
    assert storage.has_table("asset_check_executions")
    assert lookups[-1] == "asset_check_executions"  # looked up again after the wipe


def test_sqlalchemy_reads_a_type_class_s_arguments_once_and_answers_as_before() -> None:
    from sqlalchemy import Enum, Numeric, String, util
    from sqlalchemy.util import langhelpers

    memoise_type_arguments()
    sqlalchemy_s = dagster_storage._SQLALCHEMY_CLS_KWARGS  # its own, walking the __init__s
    for cls in (String, Enum, Numeric):
        before = sqlalchemy_s(cls)
        first = util.get_cls_kwargs(cls)
        assert first == before == langhelpers.get_cls_kwargs(cls)
        first.add("changed by a caller")
        assert util.get_cls_kwargs(cls) == before  # each caller gets its own set
    assert dagster_storage._constructor_arguments.cache_info().hits >= 3

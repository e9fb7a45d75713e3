"""The work file's record of marts builds: what each read, which years, whether it was audited."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from suanli.transform.builds import (
    audited_base_runs,
    latest_marts_build,
    mark_audited,
    record_marts_build,
)


@pytest.fixture
def connection(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.deliveries (source varchar, partition_key varchar, "
            "file_name varchar, delivery_id varchar, received_at timestamp, is_current boolean)"
        )
        yield connection


def test_an_audited_build_covers_the_same_inputs_for_its_years(connection) -> None:
    record_marts_build(connection, "run-1", "inputs-a", [2024, 2025])
    unaudited = latest_marts_build(connection)
    assert not unaudited.covers("inputs-a", [2025])  # publication has not let it through yet

    mark_audited(connection, "run-1")
    build = latest_marts_build(connection)
    assert (build.run_id, build.inputs, build.years) == ("run-1", "inputs-a", (2024, 2025))
    assert build.covers("inputs-a", [2025])
    assert not build.covers("inputs-b", [2025])  # something dbt reads has changed
    assert not build.covers("inputs-a", [2023, 2025])  # a year it did not build


def test_a_newer_build_is_the_one_in_force(connection) -> None:
    record_marts_build(connection, "run-1", "inputs-a", [2025])
    mark_audited(connection, "run-1")
    record_marts_build(connection, "run-2", "inputs-a", [2025])  # e.g. forced, or killed
    assert not latest_marts_build(connection).covers("inputs-a", [2025])


def test_builds_recorded_before_inputs_were_never_cover_anything(connection) -> None:
    connection.execute("create schema audit")
    connection.execute(
        "create table audit.marts_build (run_id varchar not null, built_at timestamp not null, "
        "deliveries json not null)"
    )
    connection.execute("insert into audit.marts_build values ('old', now(), '[]')")
    old = latest_marts_build(connection)
    assert (old.run_id, old.inputs, old.years, old.audited_at) == ("old", "", (), None)
    mark_audited(connection, "old")  # adds the columns on the way
    assert not latest_marts_build(connection).covers("", [2025])


def test_a_partial_build_rests_on_the_chain_of_audited_builds_below_it(connection) -> None:
    record_marts_build(connection, "run-1", "inputs-a", [2025], project="p")
    mark_audited(connection, "run-1")
    record_marts_build(connection, "run-2", "inputs-b", [2025], project="p", base="run-1")
    mark_audited(connection, "run-2")
    record_marts_build(connection, "run-3", "inputs-c", [2025], project="p", base="run-2")

    latest = latest_marts_build(connection)
    assert (latest.run_id, latest.project, latest.base) == ("run-3", "p", "run-2")
    assert audited_base_runs(connection, latest) == ["run-2", "run-1"]
    assert latest_marts_build(connection, "run-1").base is None  # a whole build


def test_an_unaudited_build_breaks_the_chain(connection) -> None:
    record_marts_build(connection, "run-1", "inputs-a", [2025], project="p")
    mark_audited(connection, "run-1")
    record_marts_build(connection, "run-2", "inputs-b", [2025], project="p", base="run-1")
    record_marts_build(connection, "run-3", "inputs-c", [2025], project="p", base="run-2")

    assert audited_base_runs(connection, latest_marts_build(connection)) == []

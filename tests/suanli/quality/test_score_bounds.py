"""Score bounds depend on the system's standardisation: per-year min-max must stay within
0-100; base-year scores may leave it (System C reports 广东 above 120) and are only warned
about far outside. Run with the suites' own SQL on a small DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from suanli.quality.suites import SuiteOutcome, load_suite, validate
from suanli.settings import EXPECTATIONS_DIR

SYSTEMS = {"per_year": "minmax_per_year", "base_year": "minmax_base_year"}


@pytest.fixture
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("create schema staging; create schema intermediate")
    connection.execute(
        "create table staging.stg_index_systems (system_code varchar, standardisation varchar)"
    )
    connection.executemany("insert into staging.stg_index_systems values (?, ?)", SYSTEMS.items())
    connection.execute(
        "create table intermediate.int_node_scores (system_code varchar, year integer,"
        " unit_level varchar, unit_code varchar, node_code varchar, node_level varchar,"
        " score double, rank bigint, rank_change bigint, weight_in_parent double,"
        " no_score_reason varchar)"
    )
    connection.execute(
        "create table intermediate.int_indicator_scores (system_code varchar, year integer,"
        " unit_level varchar, unit_code varchar, indicator_code varchar, raw_value double,"
        " unit varchar, direction varchar, score double, provenance varchar, source varchar,"
        " value_flag varchar)"
    )
    yield connection
    connection.close()


def node_scores(connection: duckdb.DuckDBPyConnection, system: str, top: float) -> None:
    """31 provinces on the composite: the best scores `top`, the others 99 down to 0."""
    scores = [top] + [99.0 * (29 - k) / 29 for k in range(30)]
    connection.executemany(
        "insert into intermediate.int_node_scores values (?, 2025, 'province', ?, 'composite',"
        " 'composite', ?, ?, null, null, null)",
        [(system, f"{k:02d}0000", score, k + 1) for k, score in enumerate(scores)],
    )
    connection.executemany(
        "insert into intermediate.int_indicator_scores values (?, 2025, 'province', ?, 'up',"
        " 1.0, 'x', 'positive', ?, 'synthetic', 'test', null)",
        [(system, f"{k:02d}0000", score) for k, score in enumerate(scores)],
    )


def run(connection: duckdb.DuckDBPyConnection, suite_name: str) -> SuiteOutcome:
    suite = load_suite(EXPECTATIONS_DIR / f"{suite_name}.json")
    target = suite.targets[0]
    assert target.relation.startswith("intermediate.")
    return validate(suite, connection.execute(suite.sql_for(target)).df())


def failed_score_bounds(outcome: SuiteOutcome) -> list[tuple[str, dict]]:
    return [(failed.severity, failed.bounds) for failed in outcome.failed]


@pytest.mark.parametrize("suite", ["index_scores", "indicator_values"])
def test_within_0_100_both_modes_pass(warehouse, suite: str) -> None:
    node_scores(warehouse, "per_year", 100.0)
    node_scores(warehouse, "base_year", 100.0)

    assert run(warehouse, suite).passed


@pytest.mark.parametrize("suite", ["index_scores", "indicator_values"])
def test_a_per_year_score_above_100_is_an_error(warehouse, suite: str) -> None:
    node_scores(warehouse, "per_year", 120.0)

    outcome = run(warehouse, suite)

    assert failed_score_bounds(outcome) == [("ERROR", {"min_value": 0, "max_value": 100})]
    (failed,) = outcome.failed
    assert failed.unexpected_count == 1 and failed.unexpected_sample[0]["score"] == 120.0


@pytest.mark.parametrize("suite", ["index_scores", "indicator_values"])
def test_a_base_year_score_of_120_passes(warehouse, suite: str) -> None:
    node_scores(warehouse, "base_year", 120.0)

    assert run(warehouse, suite).passed


@pytest.mark.parametrize("suite", ["index_scores", "indicator_values"])
def test_a_base_year_score_far_outside_its_range_only_warns(warehouse, suite: str) -> None:
    node_scores(warehouse, "base_year", 5000.0)

    outcome = run(warehouse, suite)

    assert failed_score_bounds(outcome) == [("WARN", {"min_value": -100, "max_value": 1000})]
    assert outcome.worst_severity == "WARN"


@pytest.mark.parametrize("suite", ["index_scores", "indicator_values"])
def test_scores_of_an_undefined_system_are_an_error(warehouse, suite: str) -> None:
    node_scores(warehouse, "nobody_defined_it", 50.0)

    outcome = run(warehouse, suite)

    assert [(failed.severity, failed.column) for failed in outcome.failed] == [
        ("ERROR", "standardisation")
    ]


def unscored_province(connection: duckdb.DuckDBPyConnection, reason: str | None) -> None:
    """The 31st province of a per-year system's composite, with no score and no rank."""
    scores = [99.0 * (29 - k) / 29 for k in range(30)]
    connection.executemany(
        "insert into intermediate.int_node_scores values ('per_year', 2025, 'province', ?,"
        " 'composite', 'composite', ?, ?, null, null, null)",
        [(f"{k:02d}0000", score, k + 1) for k, score in enumerate(scores)],
    )
    connection.execute(
        "insert into intermediate.int_node_scores values ('per_year', 2025, 'province',"
        " '650000', 'composite', 'composite', null, null, null, null, ?)",
        [reason],
    )


def test_a_unit_without_a_score_passes_only_with_a_reason(warehouse) -> None:
    unscored_province(warehouse, "below_min_data_share: 1 of 2 indicators have a value")
    assert run(warehouse, "index_scores").passed

    warehouse.execute("update intermediate.int_node_scores set no_score_reason = null")
    outcome = run(warehouse, "index_scores")
    assert [(failed.severity, failed.column) for failed in outcome.failed] == [
        ("ERROR", "unscored_without_reason")
    ]

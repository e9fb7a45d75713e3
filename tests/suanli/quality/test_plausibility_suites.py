"""Plausibility suites on indicator values, run with their own SQL on a small DuckDB warehouse:
year-on-year jumps and national shares warn, province totals must reconcile with national ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest

from suanli.index.catalogue import load_catalogue
from suanli.quality.checks import check_result
from suanli.quality.suites import SuiteOutcome, load_suite, validate
from suanli.settings import EXPECTATIONS_DIR

SUITES = ("indicator_year_on_year", "indicator_national_share", "indicator_reconciliation")
ADDITIVE = [code for code, indicator in load_catalogue().items() if indicator.additive]
# The compute-centre registry has its own national aggregate for these.
REGISTRY = ["racks_in_use", "intelligent_compute", "storage_capacity", "compute_revenue"]
PROVINCES = {"110000": 10.0, "130000": 20.0, "440000": 20.0, "520000": 25.0, "150000": 25.0}
Values = dict[tuple[int, str, str], float]  # (year, province, indicator) -> value


def clean_values() -> Values:
    return {
        (year, province, indicator): base * (1.2 if year == 2025 else 1.0)
        for year in (2024, 2025)
        for province, base in PROVINCES.items()
        for indicator in [*ADDITIVE, "pue"]
    }


def warehouse(values: Values, national_offsets: dict[str, float] | None = None, published=None):
    """intermediate.int_indicator_values (provinces, registry national rows) and published facts."""
    connection = duckdb.connect()
    connection.execute("create schema intermediate; create schema reference")
    connection.execute(
        "create table intermediate.int_indicator_values (year integer, unit_level varchar,"
        " unit_code varchar, indicator_code varchar, raw_value double, provenance varchar,"
        " source varchar, value_flag varchar)"
    )
    rows: list[tuple[Any, ...]] = [
        (year, "province", province, indicator, value, "synthetic", "test", None)
        for (year, province, indicator), value in values.items()
    ]
    for year in (2024, 2025):
        for indicator in [*REGISTRY, "pue"]:
            total = sum(v for (y, _, i), v in values.items() if (y, i) == (year, indicator))
            national = 1.4 if indicator == "pue" else total  # a ratio is not a sum
            national += (national_offsets or {}).get(indicator, 0.0)
            rows.append((year, "national", "100000", indicator, national, "derived", "test", None))
    connection.executemany(
        "insert into intermediate.int_indicator_values values (?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
    connection.execute(
        "create table reference.published_facts (fact_id varchar, year integer,"
        " unit_level varchar, unit_code varchar, indicator_code varchar, comparison varchar,"
        " value varchar, unit varchar, report varchar, statement_zh varchar)"
    )
    for indicator, value in (published or {}).items():
        connection.execute(
            "insert into reference.published_facts values"
            " (?, 2025, 'national', '100000', ?, 'eq', ?, '', '报告', '')",
            [f"2025-{indicator}", indicator, value],
        )
    return connection


def run(suite_name: str, connection: duckdb.DuckDBPyConnection) -> SuiteOutcome:
    suite = load_suite(EXPECTATIONS_DIR / f"{suite_name}.json")
    (target,) = suite.targets
    return validate(suite, connection.execute(suite.sql_for(target)).df())


@pytest.fixture
def checked() -> Iterator[Callable[..., dict[str, SuiteOutcome]]]:
    connections = []

    def check(values: Values, **kwargs: Any) -> dict[str, SuiteOutcome]:
        connection = warehouse(values, **kwargs)
        connections.append(connection)
        return {name: run(name, connection) for name in SUITES}

    yield check
    for connection in connections:
        connection.close()


def test_steady_data_passes_every_plausibility_suite(checked) -> None:
    published = {"racks_in_use": "120", "intelligent_compute": "120.1"}  # rounded in the report
    outcomes = checked(clean_values(), published=published)
    assert {name: outcome.passed for name, outcome in outcomes.items()} == dict.fromkeys(
        SUITES, True
    )
    assert outcomes["indicator_reconciliation"].rows == 2 * 5 + 2  # registry rows + published


@pytest.mark.parametrize("factor", [4.0, 0.25], ids=["quadrupled", "quartered"])
def test_a_province_jumping_beyond_the_factor_warns(checked, factor: float) -> None:
    values = clean_values()
    values[(2025, "130000", "racks_in_use")] *= factor
    outcome = checked(values)["indicator_year_on_year"]
    assert outcome.worst_severity == "WARN"
    (failed,) = outcome.failed
    assert failed.bounds == {"min_value": 1, "max_value": 3} and failed.unexpected_count == 1
    row = failed.unexpected_sample[0]
    assert (row["year"], row["unit_code"], row["indicator_code"]) == (
        2025,
        "130000",
        "racks_in_use",
    )
    assert row["yoy_factor"] == pytest.approx(4.8 if factor > 1 else 1 / 0.3)
    assert check_result(outcome).severity.value == "WARN"  # never blocks publication


def test_fast_growing_ai_compute_may_grow_more_and_small_counts_are_not_compared(checked) -> None:
    values = clean_values()
    values[(2025, "130000", "intelligent_compute")] = 20.0 * 4.5  # within x5
    values[(2024, "110000", "genai_services_registered")] = 2.0  # from a base below 10 ...
    values[(2025, "110000", "genai_services_registered")] = 12.0  # ... x6 is not a signal
    assert checked(values)["indicator_year_on_year"].passed


def test_one_province_holding_most_of_the_national_compute_warns(checked) -> None:
    values = clean_values()
    values[(2024, "520000", "storage_capacity")] = 200.0
    values[(2025, "520000", "storage_capacity")] = 240.0
    outcome = checked(values)["indicator_national_share"]
    assert outcome.worst_severity == "WARN"
    (failed,) = outcome.failed
    assert failed.bounds["max_value"] == 40
    assert {row["unit_code"] for row in failed.unexpected_sample} == {"520000"}
    assert all(row["share_of_national_pct"] > 70 for row in failed.unexpected_sample)


def test_provinces_not_adding_up_to_the_registry_national_row_is_an_error(checked) -> None:
    # 5 万 racks counted nationally but in no province: a centre outside every province.
    outcome = checked(clean_values(), national_offsets={"racks_in_use": 5.0})[
        "indicator_reconciliation"
    ]
    assert outcome.worst_severity == "ERROR"
    (failed,) = outcome.failed
    assert {
        (r["year"], r["indicator_code"], r["national_source"]) for r in failed.unexpected_sample
    } == {
        (2024, "racks_in_use", "registry"),
        (2025, "racks_in_use", "registry"),
    }
    assert check_result(outcome).severity.value == "ERROR"


def test_ratios_are_not_reconciled_and_published_figures_only_warn(checked) -> None:
    outcome = checked(clean_values(), published={"racks_in_use": "123", "pue": "1.46"})[
        "indicator_reconciliation"
    ]
    assert outcome.worst_severity == "WARN"  # 123 vs 120: 2.5 % off a report
    (failed,) = outcome.failed
    assert [row["indicator_code"] for row in failed.unexpected_sample] == ["racks_in_use"]


def test_the_suites_judge_only_additive_indicators_and_cover_all_of_them() -> None:
    def named(condition: dict[str, Any]) -> set[str]:
        if condition["type"] == "and":
            return set().union(*(named(part) for part in condition["conditions"]))
        if condition["column"]["name"] == "indicator_code" and condition["operator"] == "IN":
            return set(condition["parameter"])
        return set()

    for name in SUITES:
        suite = load_suite(EXPECTATIONS_DIR / f"{name}.json")
        groups = [named(e["kwargs"]["row_condition"]) for e in suite.definition["expectations"]]
        assert all(group <= set(ADDITIVE) for group in groups), name
        if name == "indicator_year_on_year":
            assert set().union(*groups) == set(ADDITIVE)
            assert sum(len(group) for group in groups) == len(ADDITIVE)  # one factor each

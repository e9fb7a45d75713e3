"""System C (先进计算暨算力发展指数 3.0, development_v3) end to end, on the session's run of the
bundled snapshot: 31 provinces on every node in 2021-2024, server compute as the six-year sum
of the raw shipments, scores anchored to base year 2021 (so later years pass 100), and its
published facts labelled in the marts."""

from __future__ import annotations

import pandas as pd
import pytest

from suanli.settings import REPO_ROOT

SYSTEM = "development_v3"
YEARS = [2021, 2022, 2023, 2024]
SNAPSHOT = REPO_ROOT / "seeds" / "snapshot"


def test_system_c_scores_31_provinces_on_every_node_in_every_year(warehouse) -> None:
    nodes = warehouse.execute(
        "select count(*) from staging.stg_index_nodes where system_code = ?", [SYSTEM]
    ).fetchone()[0]
    assert nodes == 1 + 5 + 13 + 14
    rows = warehouse.execute(
        "select year, count(distinct node_code), count(distinct unit_code), count(*),"
        " count(score) from marts.fct_index_scores where system_code = ? group by year"
        " order by year",
        [SYSTEM],
    ).fetchall()
    assert rows == [(year, nodes, 31, nodes * 31, nodes * 31) for year in YEARS]


def test_server_compute_is_the_six_year_sum_of_the_raw_shipments(warehouse) -> None:
    """广东 2024: Σ 2019-2024 of units × sockets × FP32 ops/cycle × GHz × cores, by hand."""
    total = 0.0
    for year in range(2019, 2025):
        df = pd.read_csv(
            SNAPSHOT / "server_shipments" / f"server_shipments_{year}.csv",
            dtype=str,
            keep_default_na=False,
        )
        row = df[(df["province"] == "广东省") & (df["server_type"] == "general")].iloc[0]
        gflops = (
            float(row["cpu_sockets"])
            * float(row["fp32_ops_per_cycle"])
            * float(row["clock_ghz"])
            * float(row["cores_per_cpu"])
        )
        total += int(row["units"]) * gflops / 1e9  # GFLOPS → EFLOPS
    value = warehouse.execute(
        "select raw_value from marts.fct_indicator_values where system_code = ? and year = 2024"
        " and unit_code = '440000' and indicator_code = 'server_compute'",
        [SYSTEM],
    ).fetchone()[0]
    assert value == pytest.approx(total, rel=1e-9)
    national = warehouse.execute(
        "select raw_value from intermediate.int_national_indicator_values"
        " where indicator_code = 'server_compute' and year in (2022, 2024) order by year"
    ).fetchall()
    assert [round(row[0]) for row in national] == [120, 175]  # METHODOLOGY §7


def test_base_year_anchoring_lets_later_scores_pass_100(warehouse) -> None:
    system = warehouse.execute(
        "select standardisation, base_year, first_year, last_year from marts.dim_index_system"
        " where system_code = ?",
        [SYSTEM],
    ).fetchone()
    assert system == ("minmax_base_year", 2021, 2021, 2024)
    base = warehouse.execute(
        "select min(score), max(score) from marts.fct_indicator_values"
        " where system_code = ? and year = 2021",
        [SYSTEM],
    ).fetchone()
    assert base == (pytest.approx(0), pytest.approx(100))
    industry = warehouse.execute(
        "select score from marts.fct_index_scores where system_code = ? and year = 2024"
        " and unit_code = '440000' and node_code = 'computing_industry'",
        [SYSTEM],
    ).fetchone()[0]
    assert industry >= 120  # the report: 广东 计算产业分指数 "首次达到 120 分以上"
    composite = warehouse.execute(
        "select max(score) from marts.fct_index_scores where system_code = ? and year = 2024"
        " and node_code = 'composite'",
        [SYSTEM],
    ).fetchone()[0]
    assert composite > 100


def test_system_c_facts_are_recorded_and_labelled_published(warehouse) -> None:
    facts = warehouse.execute(
        "select indicator_code, count(*) from reference.published_facts where year = 2024"
        " and indicator_code in (select node_code from staging.stg_index_nodes"
        " where system_code = ? and n_children = 0) group by 1",
        [SYSTEM],
    ).fetchall()
    assert len(facts) >= 10
    labelled = warehouse.execute(
        "select unit_code, indicator_code, round(raw_value, 1), source"
        " from marts.fct_indicator_values where system_code = ? and year = 2024"
        " and provenance = 'published' order by indicator_code, unit_code",
        [SYSTEM],
    ).fetchall()
    assert [row[:2] for row in labelled] == [
        ("430000", "application_cases"),
        ("120000", "computing_device_output"),
        ("440000", "computing_device_output"),
        ("320000", "ic_output"),
    ]
    assert all("先进计算" in row[3] for row in labelled)
    # 73 cases in 24 provinces (METHODOLOGY §7)
    cases = warehouse.execute(
        "select sum(raw_value), count_if(raw_value > 0) from marts.fct_indicator_values"
        " where system_code = ? and year = 2024 and indicator_code = 'application_cases'",
        [SYSTEM],
    ).fetchone()
    assert cases == (73, 24)

"""End to end on real parts: `python -m suanli.cli materialize` on the bundled snapshot into a
fresh DuckDB file, with a real Dagster instance in a temporary DAGSTER_HOME."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration

MART_TABLES = ("dim_province", "fct_indicator_values", "fct_index_scores", "fct_index_weights")


def mart_fingerprint(path: str) -> dict[str, str]:
    with duckdb.connect(path, read_only=True) as connection:
        return {
            table: hashlib.sha256(
                repr(
                    connection.execute(f"select * from marts.{table} order by all").fetchall()
                ).encode()
            ).hexdigest()
            for table in MART_TABLES
        }


def published_path(env: dict[str, str]) -> str:
    work = Path(env["SUANLI_WAREHOUSE"])
    return str(work.with_name(f"{work.stem}_marts{work.suffix}"))


def runs_in(env: dict[str, str]) -> int:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        return len(instance.get_run_records())


def test_a_second_run_with_nothing_changed_starts_nothing(
    copied_warehouse: dict[str, str], cli, landing_with_registry, without_one_city
) -> None:
    env = copied_warehouse
    before = runs_in(env)
    again = cli(env, "materialize")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "materialize_all 2016…2025 up to date: nothing changed since run" in again.stdout
    one_year = cli(env, "materialize", "--years", "2025")
    assert "up to date" in one_year.stdout
    # A new delivery makes a run needed again (asked with --dry-run: nothing runs).
    landing = landing_with_registry(without_one_city)
    changed = cli({**env, "SUANLI_LANDING": str(landing)}, "materialize", "--dry-run")
    assert "materialize_all 2016…2025: would run, no successful run has read" in changed.stdout
    forced = cli(env, "materialize", "--years", "2025", "--force", "--dry-run")
    assert "materialize_all 2025…2025: would run, asked to (--force)" in forced.stdout
    assert runs_in(env) == before


def test_marts_hold_39_indicators_for_31_provinces_in_4_years(warehouse) -> None:
    counts = warehouse.execute(
        "select year, count(distinct indicator_code), count(distinct unit_code), count(*),"
        " count(raw_value) from marts.fct_indicator_values"
        " where system_code = 'comprehensive_v4' group by year order by year"
    ).fetchall()
    assert counts == [(year, 39, 31, 39 * 31, 39 * 31) for year in (2022, 2023, 2024, 2025)]


def test_every_node_ranks_all_31_provinces_with_scores_in_range(warehouse) -> None:
    groups = warehouse.execute(
        "select node_level, count(distinct node_code), min(score), max(score),"
        " min(rank), max(rank), count(*) from marts.fct_index_scores"
        " where system_code = 'comprehensive_v4' group by node_level order by node_level"
    ).fetchall()
    by_level = {row[0]: row[1:] for row in groups}
    assert {level: row[0] for level, row in by_level.items()} == {
        "composite": 1, "primary": 5, "secondary": 11, "tertiary": 39,
    }  # fmt: skip
    for _, minimum, maximum, best, worst, _ in by_level.values():
        assert 0 <= minimum < maximum <= 100 and best == 1 and worst <= 31
    assert sum(row[-1] for row in by_level.values()) == 56 * 31 * 4


def test_composite_is_the_weighted_sum_of_the_primaries(warehouse) -> None:
    worst_gap, systems = warehouse.execute(
        "select max(abs(composite.score - weighted.score)), count(distinct composite.system_code)"
        " from marts.fct_index_scores composite"
        " join (select s.system_code, s.year, s.unit_code, sum(s.score * w.local_weight) as score"
        "       from marts.fct_index_scores s join marts.fct_index_weights w"
        "         on s.system_code = w.system_code and s.node_code = w.node_code"
        "       where w.parent_code = 'composite' group by s.system_code, s.year, s.unit_code)"
        "   weighted on composite.system_code = weighted.system_code"
        "   and composite.year = weighted.year and composite.unit_code = weighted.unit_code"
        " where composite.node_code = 'composite'"
    ).fetchone()
    assert worst_gap < 1e-9 and systems >= 3


def test_rank_change_compares_with_the_previous_year(warehouse) -> None:
    rows = warehouse.execute(
        "select this.rank_change, previous.rank - this.rank from marts.fct_index_scores this"
        " left join marts.fct_index_scores previous on previous.year = this.year - 1"
        "  and previous.system_code = this.system_code"
        "  and previous.unit_code = this.unit_code and previous.node_code = this.node_code"
        " where this.node_code = 'composite' and this.system_code = 'comprehensive_v4'"
    ).fetchall()
    assert len(rows) == 31 * 4
    assert all(change == expected for change, expected in rows)
    assert sum(change is None for change, _ in rows) == 31  # the first year has no previous


def test_published_figures_are_honoured_and_labelled(warehouse) -> None:
    beijing = warehouse.execute(
        "select raw_value, provenance, source from marts.fct_indicator_values"
        " where year = 2025 and unit_code = '110000'"
        " and indicator_code = 'genai_services_registered'"
    ).fetchone()
    assert beijing == (105.0, "published", "中国综合算力指数报告（2025年）")
    provenances = dict(
        warehouse.execute(
            "select provenance, count(*) from marts.fct_indicator_values group by 1"
        ).fetchall()
    )
    assert provenances.get("published", 0) >= 5 and provenances.get("synthetic", 0) > 0


def test_mixed_province_spellings_all_map_to_codes(warehouse) -> None:
    spellings = warehouse.execute(
        "select province_code, count(distinct province_as_delivered),"
        " count(*) filter (where province_code is null)"
        " from staging.stg_compute_centres group by 1"
    ).fetchall()
    assert len(spellings) == 31 and all(code is not None for code, _, _ in spellings)
    assert max(n for _, n, _ in spellings) >= 3


def test_weights_mart_records_ahp_consistency(warehouse) -> None:
    rows = warehouse.execute(
        "select count(*), count(consistency_ratio), max(consistency_ratio),"
        " any_value(random_index_table), sum(global_weight) filter (where node_level = 'tertiary')"
        " from marts.fct_index_weights where system_code = 'comprehensive_v4'"
    ).fetchone()
    assert rows[:2] == (56, 17) and rows[2] < 0.10 and rows[3] == "saaty_1980"
    assert rows[4] == pytest.approx(1.0)


def test_the_run_is_recorded_in_the_dagster_instance(env, first_run) -> None:
    from dagster import AssetKey, DagsterInstance

    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    instance = DagsterInstance.get()
    for key in (["raw", "compute_centres"], ["intermediate", "int_node_scores"],
                ["marts", "fct_index_scores"]):  # fmt: skip
        assert instance.get_latest_materialization_event(AssetKey(key)) is not None, key
    assert "succeeded" in first_run.stdout


def test_the_cli_prints_the_composite_top_10(env, first_run, cli) -> None:
    result = cli(env, "top10")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 12  # what is shown, the header, ten provinces
    assert lines[0].startswith("综合算力指数 4.0 (comprehensive_v4) · 2025 · 综合算力指数")
    assert lines[1].split()[:2] == ["排名", "名称"]


def test_a_blocking_check_failure_leaves_the_published_marts_as_they_were(
    copied_warehouse: dict[str, str],
    cli,
    landing_with_registry,
    latest_check_evaluation,
    without_one_city,
) -> None:
    # A registry that passes intake (every cell and audit is fine) but leaves a hosting city
    # without centres: the blocking city-coverage suite fails, and the marts readers have stay
    # as they were (the work file's candidate marts are not published).
    env = copied_warehouse
    landing = landing_with_registry(without_one_city)
    published = published_path(env)
    before = mart_fingerprint(published)
    result = cli({**env, "SUANLI_LANDING": str(landing)}, "materialize", "--years", "2025")
    assert result.returncode == 1 and "FAILED" in result.stdout
    assert mart_fingerprint(published) == before

    evaluation = latest_check_evaluation(
        ["intermediate", "int_indicator_values"], "gx_city_coverage", env
    )
    assert not evaluation.passed

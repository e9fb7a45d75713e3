"""Base-year standardisation on real dbt and a copy of the session's warehouse: a system that
anchors every year to its base year's min and max scores a later year against the base year
even when only that later year is rebuilt, leaves 0-100 where units outgrow the base year,
and stops with a clear message when the base year has not been built."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from dagster import materialize
from dbt_runs import dbt_in

from suanli.index.assets import index_definitions
from suanli.settings import INDEX_SYSTEMS_DIR
from suanli.transform.dbt_command import YEARS_ENV
from suanli.warehouse.resource import WarehouseResource

pytestmark = pytest.mark.integration

BASE_SYSTEM = "comprehensive_v4_base2022"
# System A whole (its tree and judgements included), scored against 2022.
BASE_DEFINITION = f"""\
system_code: {BASE_SYSTEM}
name_zh: 综合算力指数 4.0（2022 基年）
name_en: Comprehensive Computing Power Index 4.0 (base year 2022)
unit_level: province
years: [2022, 2023, 2024, 2025]
standardisation: minmax_base_year
base_year: 2022
root:
  include: comprehensive_v4#composite
"""


@pytest.fixture
def base_year_warehouse(
    env: dict[str, str], first_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A copy of the session's work file whose definitions add the base-year system."""
    definitions = tmp_path / "index_systems"
    shutil.copytree(INDEX_SYSTEMS_DIR, definitions)
    (definitions / f"{BASE_SYSTEM}.yml").write_text(BASE_DEFINITION, encoding="utf-8")
    warehouse = tmp_path / "suanli.duckdb"
    shutil.copy(env["SUANLI_WAREHOUSE"], warehouse)
    monkeypatch.setenv("SUANLI_INDEX_SYSTEMS", str(definitions))
    result = materialize(
        [index_definitions], resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )
    assert result.success
    return warehouse


def dbt_run(warehouse: Path, years: list[int], *models: str) -> subprocess.CompletedProcess[str]:
    """Real dbt on the copy; its own target and log paths keep the shared manifest untouched."""
    env = {"SUANLI_WAREHOUSE": str(warehouse), YEARS_ENV: json.dumps(years)}
    return dbt_in(warehouse.parent, env, "run", "--select", *models)


def test_a_later_year_is_scored_against_the_base_years_range(base_year_warehouse: Path) -> None:
    with duckdb.connect(str(base_year_warehouse), read_only=True) as connection:
        per_year_before = connection.execute(
            "select * from intermediate.int_node_scores"
            " where system_code = 'comprehensive_v4' and year = 2025 order by all"
        ).fetchall()

    result = dbt_run(
        base_year_warehouse, [2025], "int_index_paths", "int_indicator_scores", "int_node_scores"
    )

    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(base_year_warehouse), read_only=True) as connection:
        built_years = connection.execute(
            "select list(distinct year order by year) from intermediate.int_indicator_scores"
            " where system_code = ?",
            [BASE_SYSTEM],
        ).fetchone()[0]
        # The formula, computed here from the values themselves: 2022's min and max scale 2025.
        worst_gap, compared = connection.execute(
            """
            with base as (
                select indicator_code, min(raw_value) as low, max(raw_value) as high
                from intermediate.int_indicator_values
                where year = 2022 and unit_level = 'province' group by 1
            )
            select
                max(abs(scores.score - case
                    -- no generative-AI service was registered in 2022: a constant base
                    -- column gets the constant-column score (0) in every year
                    when base.high = base.low then 0
                    when scores.direction = 'negative'
                    then 100 * (base.high - scores.raw_value) / (base.high - base.low)
                    else 100 * (scores.raw_value - base.low) / (base.high - base.low) end)),
                count(*)
            from intermediate.int_indicator_scores as scores
            join base using (indicator_code)
            where scores.system_code = ? and scores.year = 2025
            """,
            [BASE_SYSTEM],
        ).fetchone()
        extremes = connection.execute(
            "select node_level, min(score), max(score) from intermediate.int_node_scores"
            " where system_code = ? and year = 2025 group by 1",
            [BASE_SYSTEM],
        ).fetchall()
        per_year_after = connection.execute(
            "select * from intermediate.int_node_scores"
            " where system_code = 'comprehensive_v4' and year = 2025 order by all"
        ).fetchall()

    assert built_years == [2025]  # 2022 was read, not rebuilt
    assert compared == 39 * 31 and worst_gap < 1e-9
    by_level = {level: (low, high) for level, low, high in extremes}
    assert by_level["tertiary"][1] > 100  # e.g. intelligent compute outgrew 2022's leader
    assert by_level["tertiary"][0] < 0 or by_level["tertiary"][1] > 120
    assert set(by_level) == {"composite", "primary", "secondary", "tertiary"}
    assert per_year_after == per_year_before  # the per-year system is untouched


def test_in_its_base_year_a_base_year_system_scores_as_per_year_min_max(
    base_year_warehouse: Path,
) -> None:
    result = dbt_run(base_year_warehouse, [2022], "int_indicator_scores")

    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(base_year_warehouse), read_only=True) as connection:
        worst_gap, compared = connection.execute(
            "select max(abs(base.score - per_year.score)), count(*)"
            " from intermediate.int_indicator_scores base"
            " join intermediate.int_indicator_scores per_year"
            "  on per_year.system_code = 'comprehensive_v4' and per_year.year = base.year"
            "  and per_year.unit_code = base.unit_code"
            "  and per_year.indicator_code = base.indicator_code"
            " where base.system_code = ? and base.year = 2022",
            [BASE_SYSTEM],
        ).fetchone()
    assert compared == 39 * 31 and worst_gap < 1e-9


def test_a_base_year_that_is_not_built_stops_with_a_clear_message(
    base_year_warehouse: Path,
) -> None:
    with duckdb.connect(str(base_year_warehouse)) as connection:
        connection.execute("delete from intermediate.int_indicator_values where year = 2022")
        before = connection.execute(
            "select count(*) from intermediate.int_indicator_scores where year = 2025"
        ).fetchone()[0]

    result = dbt_run(base_year_warehouse, [2025], "int_indicator_scores")

    assert result.returncode != 0
    assert (
        f"index system {BASE_SYSTEM} standardises on base year 2022 (minmax_base_year), but "
        "int_indicator_values holds no 2022 values for province units: build year 2022 as well"
    ) in result.stdout
    with duckdb.connect(str(base_year_warehouse), read_only=True) as connection:
        after = connection.execute(
            "select count(*) from intermediate.int_indicator_scores where year = 2025"
        ).fetchone()[0]
    assert after == before  # the failed build left the year's scores as they were

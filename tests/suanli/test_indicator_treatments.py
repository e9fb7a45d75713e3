"""Outliers and constant columns on the demonstration data, through real dbt.

The session's first run (every bundled system with treatment off) publishes
marts.fct_indicator_treatments: one row per system, year, unit level and indicator, whose
figures are those of suanli.index.treat recomputed here from the published raw values. Then,
on a copy of its work file, System A's definition says `treatment: {winsorise: true}`: the
flagged columns of 2025 are treated exactly as the numpy reference treats them, and only their
scores move.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from dagster import materialize
from dbt_runs import dbt_in

from suanli.index.assets import index_definitions
from suanli.index.treat import treat_column
from suanli.settings import INDEX_SYSTEMS_DIR
from suanli.transform.dbt_command import YEARS_ENV
from suanli.warehouse.resource import WarehouseResource

pytestmark = pytest.mark.integration

SYSTEM_A = "comprehensive_v4"
# The example: 大模型相关企业数量, skewness 3.02 and kurtosis 9.63 in System A 2025.
EXAMPLE = "llm_enterprises"


def published_marts(env: dict[str, str]) -> Path:
    work = Path(env["SUANLI_WAREHOUSE"])
    return work.with_name(f"{work.stem}_marts{work.suffix}")


def columns_of(connection: duckdb.DuckDBPyConnection, sql: str) -> dict[tuple, np.ndarray]:
    """Raw values by (system, year, unit level, indicator), in unit_code order."""
    columns: dict[tuple, list[float]] = {}
    for *key, value in connection.execute(sql).fetchall():
        columns.setdefault(tuple(key), []).append(np.nan if value is None else value)
    return {key: np.array(values, dtype=float) for key, values in columns.items()}


def close(published: float | None, computed: float) -> bool:
    """A mart figure (rounded to 1e-9, null when undefined) against the reference's."""
    if not np.isfinite(computed):
        return published is None
    return published is not None and abs(published - computed) <= 1e-9 * max(1, abs(computed))


def test_every_indicator_column_is_assessed_as_the_numpy_reference_does(
    env: dict[str, str], first_run
) -> None:
    with duckdb.connect(str(published_marts(env)), read_only=True) as connection:
        raw = columns_of(
            connection,
            "select system_code, year, unit_level, indicator_code, raw_value"
            " from marts.fct_indicator_values"
            " order by system_code, year, unit_level, indicator_code, unit_code",
        )
        rows = connection.execute(
            "select system_code, year, unit_level, indicator_code, n_units, skew_before,"
            " kurtosis_before, flagged, treatment, n_winsorised, treated_units, skew_after,"
            " kurtosis_after, flagged_after, is_constant, is_near_constant, winsorise"
            " from marts.fct_indicator_treatments"
        ).fetchall()
    marts = {tuple(row[:4]): row[4:] for row in rows}
    assert marts.keys() == raw.keys()  # every column, treated or not
    for key, values in raw.items():
        result = treat_column(values, apply=False)
        n_units, skew, kurt, flagged, treatment, n_win, units, skew_after, kurt_after, *rest = (
            marts[key]
        )
        assert (n_units, flagged) == (result.n_units, result.flagged), key
        assert close(skew, result.skew_before) and close(kurt, result.kurtosis_before), key
        assert (treatment, n_win, units) == ("none", 0, None), key
        assert (skew_after, kurt_after) == (skew, kurt), key
        assert rest == [result.flagged, result.constant, result.near_constant, False], key

    # The figures, and what the demonstration data flags for System A in 2025.
    flagged_2025 = {
        key[3]: marts[key][1:3]
        for key in marts
        if key[:3] == (SYSTEM_A, 2025, "province") and marts[key][3]
    }
    assert flagged_2025[EXAMPLE] == (pytest.approx(3.02, abs=0.005), pytest.approx(9.63, abs=0.005))
    assert len([key for key in marts if key[:3] == (SYSTEM_A, 2025, "province")]) == 39
    assert sorted(flagged_2025) == [
        "city_network_1ms", "genai_services_registered", "llm_enterprises", "llm_patents",
        "models_on_leaderboard", "private_line_users", "racks_under_construction",
    ]  # fmt: skip
    # no generative-AI service was registered before 2024 in the demonstration data: constant
    constant = sorted(key for key in marts if key[0] == SYSTEM_A and marts[key][10])
    assert constant == [
        (SYSTEM_A, year, "province", code)
        for year in (2022, 2023)
        for code in ("genai_services_registered", "models_on_leaderboard")
    ]


@pytest.fixture
def treated_warehouse(env: dict[str, str], first_run, tmp_path: Path) -> Path:
    """A copy of the session's work file whose System A winsorises, its definitions written."""
    definitions = tmp_path / "index_systems"
    shutil.copytree(INDEX_SYSTEMS_DIR, definitions)
    path = definitions / f"{SYSTEM_A}.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["treatment"]["winsorise"] = True
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    warehouse = tmp_path / "suanli.duckdb"
    shutil.copy(env["SUANLI_WAREHOUSE"], warehouse)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUANLI_INDEX_SYSTEMS", str(definitions))
        result = materialize(
            [index_definitions], resources={"warehouse": WarehouseResource(path=str(warehouse))}
        )
    assert result.success
    return warehouse


def dbt_build(warehouse: Path, years: list[int], *models: str) -> subprocess.CompletedProcess:
    """Real dbt on the copy; its own target and log paths keep the shared manifest untouched."""
    env = {"SUANLI_WAREHOUSE": str(warehouse), YEARS_ENV: json.dumps(years)}
    return dbt_in(
        warehouse.parent, env, "build", "--select", *models, "--exclude-resource-type", "unit_test"
    )


def scores(warehouse: Path) -> dict[tuple, float]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select system_code, year, unit_code, indicator_code, score"
            " from intermediate.int_indicator_scores where year = 2025"
        ).fetchall()
    return {tuple(row[:4]): row[4] for row in rows}


def mart_rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select * from marts.fct_indicator_treatments order by all"
        ).fetchall()


def test_winsorising_system_a_treats_its_flagged_columns_and_moves_only_their_scores(
    treated_warehouse: Path,
) -> None:
    before = scores(treated_warehouse)

    result = dbt_build(
        treated_warehouse, [2025], "int_indicator_treatments", "int_indicator_scores",
        "fct_indicator_treatments", "assert_treated_columns_pass_the_outlier_rule",
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-4000:]
    after = scores(treated_warehouse)
    assert after.keys() == before.keys()
    with duckdb.connect(str(treated_warehouse), read_only=True) as connection:
        raw = columns_of(
            connection,
            "select system_code, year, unit_level, indicator_code, raw_value"
            " from intermediate.int_indicator_treatments"
            " where system_code = 'comprehensive_v4' and year = 2025"
            " order by system_code, year, unit_level, indicator_code, unit_code",
        )
        treated = columns_of(
            connection,
            "select system_code, year, unit_level, indicator_code, treated_value"
            " from intermediate.int_indicator_treatments"
            " where system_code = 'comprehensive_v4' and year = 2025"
            " order by system_code, year, unit_level, indicator_code, unit_code",
        )
        marts = {
            row[0]: row[1:]
            for row in connection.execute(
                "select indicator_code, flagged, treatment, n_winsorised, treated_units,"
                " flagged_after from marts.fct_indicator_treatments"
                " where system_code = 'comprehensive_v4' and year = 2025"
            ).fetchall()
        }
        units = connection.execute(
            "select distinct unit_code from intermediate.int_indicator_treatments"
            " where system_code = 'comprehensive_v4' and year = 2025 order by 1"
        ).fetchall()
    unit_codes = [unit for (unit,) in units]

    # The warehouse treats each column exactly as the numpy reference does.
    flagged = set()
    for key, values in raw.items():
        reference = treat_column(values)
        np.testing.assert_array_equal(treated[key], reference.values, err_msg=str(key))
        code = key[3]
        is_flagged, treatment, n_winsorised, treated_units, _ = marts[code]
        assert (is_flagged, treatment, n_winsorised) == (
            reference.flagged, reference.method, reference.n_winsorised,
        ), code  # fmt: skip
        changed = [unit for unit, t in zip(unit_codes, reference.treated, strict=True) if t]
        assert treated_units == (",".join(changed) or None), code
        if reference.flagged:
            flagged.add(code)
            assert treatment in ("winsorised", "log"), code
    assert EXAMPLE in flagged and len(flagged) == 7

    # Only the scores of System A's flagged indicators move, and each of them does.
    moved = {key for key in before if after[key] != before[key]}
    assert {key[0] for key in moved} == {SYSTEM_A}
    assert {key[3] for key in moved} == flagged

    # Built again from the same values, the mart is the same to the bit.
    first = mart_rows(treated_warehouse)
    again = dbt_build(
        treated_warehouse, [2025], "int_indicator_treatments", "fct_indicator_treatments"
    )
    assert again.returncode == 0, again.stdout[-4000:]
    assert mart_rows(treated_warehouse) == first

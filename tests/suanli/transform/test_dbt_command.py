"""`suanli-dbt`: dbt whose partial parsing survives another warehouse file and a run's years."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbt_runs import dbt_in

from suanli.transform.dbt_command import YEARS_ENV, selected_years, without_path


def test_the_connection_keys_lose_the_path_and_keep_the_rest() -> None:
    keys = without_path(lambda self: ("database", "schema", "path", "settings"))
    assert keys(object()) == ("database", "schema", "settings")


def test_a_python_models_years_are_its_config_else_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(YEARS_ENV, "[2024, 2025]")
    assert selected_years(None) == [2024, 2025]
    # the var, however given: --vars '{years: [2021]}', '{years: 2021}', '{years: "2021,2022"}'
    assert selected_years([2021]) == [2021]
    assert selected_years(2021) == [2021]
    assert selected_years("2021,2022") == [2021, 2022]
    assert selected_years([]) == []
    monkeypatch.delenv(YEARS_ENV)
    assert selected_years(None) == []


@pytest.mark.slow  # runs dbt (make check runs dbt for its unit tests only)
def test_another_warehouse_and_a_runs_years_reparse_nothing(tmp_path: Path) -> None:
    env = {"SUANLI_WAREHOUSE": str(tmp_path / "elsewhere" / "suanli.duckdb"), YEARS_ENV: "[2025]"}
    parsed = dbt_in(tmp_path, env, "parse")
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    assert "Unable to do partial parsing" not in parsed.stdout, parsed.stdout[-3000:]


@pytest.mark.slow
def test_the_years_reach_the_compiled_sql_only_when_dbt_executes(tmp_path: Path) -> None:
    env = {"SUANLI_WAREHOUSE": str(tmp_path / "suanli.duckdb"), YEARS_ENV: "[2024, 2025]"}
    compiled = dbt_in(tmp_path, env, "compile", "--select", "int_indicator_scores")
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    [sql] = (tmp_path / "target" / "compiled").rglob("int_indicator_scores.sql")
    assert "year in (2024, 2025)" in sql.read_text(encoding="utf-8")


@pytest.mark.slow  # two dbt commands: the test lanes run dbt itself in test_unit_tests
def test_its_log_file_has_each_nodes_result_and_no_debug_lines_unless_asked(
    tmp_path: Path,
) -> None:
    env = {"SUANLI_WAREHOUSE": str(tmp_path / "suanli.duckdb")}
    seeded = dbt_in(tmp_path / "info", env, "seed", "--select", "units")
    assert seeded.returncode == 0, seeded.stdout[-3000:]
    log = (tmp_path / "info" / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "1 of 1 OK loaded seed file reference.units" in log
    assert "[debug]" not in log
    asked = {**env, "DBT_LOG_LEVEL_FILE": "debug"}
    seeded = dbt_in(tmp_path / "debug", asked, "seed", "--select", "units")
    assert seeded.returncode == 0, seeded.stdout[-3000:]
    assert "[debug]" in (tmp_path / "debug" / "logs" / "dbt.log").read_text(encoding="utf-8")

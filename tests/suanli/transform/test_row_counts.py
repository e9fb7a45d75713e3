"""Row counts of what a build made, logged by dbt as it builds each relation: read from its
event stream, rows by year for tables with a year, and the run's years a table has no rows for.
(That every dbt asset of a pipeline run shows its table's row count: test_dagster_pages.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dbt_runs import dbt_in

from suanli.transform.row_counts import (
    MESSAGE,
    ROW_COUNT,
    ROW_COUNTS_ENV,
    Counts,
    count_metadata,
    logged_counts,
)


def jinja_log(node: str, message: str, name: str = "JinjaLogInfo") -> dict:
    return {"info": {"name": name, "msg": message}, "data": {"node_info": {"unique_id": node}}}


def test_the_post_hook_s_line_gives_its_node_and_counts_and_nothing_else_does() -> None:
    line = MESSAGE + json.dumps({"yearly": True, "rows": 5, "by_year": {"2021": 3, "2022": 2}})
    node, counts = logged_counts(jinja_log("model.suanli.scores", line))
    assert node == "model.suanli.scores"
    assert counts == Counts(rows=5, yearly=True, by_year={2021: 3, 2022: 2})
    assert logged_counts(jinja_log("model.suanli.scores", "a macro's own log line")) is None
    assert logged_counts(jinja_log("model.suanli.scores", line, name="LogModelResult")) is None


def test_a_yearly_table_says_its_rows_by_year_and_the_run_years_it_lacks() -> None:
    metadata = count_metadata(Counts(5, True, {2021: 3, 2022: 2}), [2016, 2021, 2022])
    assert metadata[ROW_COUNT] == 5
    assert metadata["rows_by_year"].value == {"2021": 3, "2022": 2}
    assert metadata["years_without_rows"].value == [2016]
    empty = count_metadata(Counts(0, True, {}), [2025])
    assert (empty[ROW_COUNT], empty["years_without_rows"].value) == (0, [2025])
    assert set(count_metadata(Counts(1, False), [2016])) == {ROW_COUNT}  # no year: total only


def logged(completed) -> dict[str, Counts]:
    found = {}
    for line in completed.stdout.splitlines():
        if line.startswith("{") and (hit := logged_counts(json.loads(line))):
            found[hit[0]] = hit[1]
    return found


@pytest.mark.slow  # runs dbt twice
def test_dbt_logs_a_seed_s_rows_only_when_asked(tmp_path: Path) -> None:
    env = {"SUANLI_WAREHOUSE": str(tmp_path / "suanli.duckdb")}
    asked = dbt_in(tmp_path, {**env, ROW_COUNTS_ENV: "1"}, "--log-format", "json", "seed",
                   "--select", "provinces")  # fmt: skip
    assert asked.returncode == 0, asked.stdout[-3000:]
    assert logged(asked) == {"seed.suanli.provinces": Counts(rows=31, yearly=False)}
    silent = dbt_in(tmp_path, env, "--log-format", "json", "seed", "--select", "provinces")
    assert silent.returncode == 0, silent.stdout[-3000:]
    assert logged(silent) == {}

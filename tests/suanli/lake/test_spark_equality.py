"""The record-level models give the same rows on Spark as on DuckDB, and the index reads
Spark's Parquet as it reads DuckDB's tables.

The session's pipeline run built the record-level models on DuckDB. Here their raw rows are
exported to Parquet (`suanli.lake.export`), the same models run on a local Spark session
(dbt-spark `session` method, the Spark virtualenv of `make spark`, Java 17), and every row
Spark wrote is matched on its key with DuckDB's: counts, identifiers, hours, dates and lineage
lists exactly, floating-point values (ratios, registers) within 1e-9. One Spark invocation
builds every record-level model: a Spark session takes tens of seconds to start on two cores.

The bundled telemetry accounts CO2 in every hour; a platform may leave hours empty. So that the
one aggregate whose engines disagree on nulls (min_by/max_by: macros/record_level.sql) is
compared on such rows too, the test works on a copy of the run's work file whose CO2 register
is empty at each month file's first and last hour, with its record-level models (and their
consumers) rebuilt on DuckDB.

Without the Spark virtualenv or Java the test is skipped on a developer machine and fails
under CI (`CI=true`), where `make test` provides both.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_runs import dbt_in

from suanli.lake.export import RECORD_LEVEL_SOURCES, export_raw
from suanli.lake.spark import java_home, spark_dbt, spark_environment
from suanli.settings import DBT_PROJECT_DIR, spark_venv

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Record-level models (tag `record_level`) and their keys.
RECORD_LEVEL_MODELS: dict[str, tuple[str, ...]] = {
    "int_patent_province_years": ("province_code", "year"),
    "int_centre_energy_months": ("month", "centre_id", "delivery_id"),
}
# The DuckDB models reading them (record_level_ref), and which one each reads.
CONSUMERS = {
    "int_indicators__patents": "int_patent_province_years",
    "int_centre_energy_years": "int_centre_energy_months",
}
TOLERANCE = 1e-9
# Lineage lists are compared whole; a mismatch shows its first rows only.
SHOWN = 3


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def rows_by_key(
    connection: duckdb.DuckDBPyConnection, relation: str, key: tuple[str, ...]
) -> tuple[list[str], dict[tuple[Any, ...], dict[str, Any]]]:
    """The relation's columns, and its rows by key (a key seen twice is a failure)."""
    result = connection.execute(f"select * from {relation}")
    columns = [column[0] for column in result.description]
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for values in result.fetchall():
        row = dict(zip(columns, values, strict=True))
        identity = tuple(row[name] for name in key)
        assert identity not in rows, f"{relation}: key {identity} twice"
        rows[identity] = row
    return columns, rows


def same(left: Any, right: Any) -> bool:
    """Equal, floats within TOLERANCE (absolute), lists and structs element by element."""
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        return math.isclose(left, right, rel_tol=0, abs_tol=TOLERANCE) or (
            math.isnan(left) and math.isnan(right)
        )
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    return left == right


def shown(value: Any) -> Any:
    return [*value[:SHOWN], "…"] if isinstance(value, list) and len(value) > SHOWN else value


def duckdb_dbt(
    warehouse: Path, scratch: Path, *args: str, lake: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The product venv's dbt on the DuckDB target, on `warehouse` (reading the lake `lake`),
    its artefacts in `scratch`: the shared manifest stays untouched."""
    environment = {"SUANLI_WAREHOUSE": str(warehouse)}
    if lake is not None:
        environment["SUANLI_LAKE"] = str(lake)
    return dbt_in(scratch, environment, *args)


@pytest.fixture(scope="module")
def spark_tools() -> Path:
    """The Spark virtualenv, with a Java to run it: checked before the pipeline run is waited
    for (a skip on a developer machine, a failure under CI)."""
    venv = spark_venv()
    if not (venv / "bin" / "dbt").exists():
        missing(f"no Spark virtualenv at {venv}: run `make spark`")
    if java_home() is None:
        missing("no Java: Spark needs Java 17 (make system-deps)")
    return venv


@pytest.fixture(scope="module")
def duckdb_warehouse(
    spark_tools: Path, env: dict[str, str], first_run, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the first run's work file, CO2 emptied at each month file's first and last
    hour, its record-level models and their consumers rebuilt on DuckDB."""
    root = tmp_path_factory.mktemp("duckdb_side")
    warehouse = root / "suanli.duckdb"
    shutil.copy(env["SUANLI_WAREHOUSE"], warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update raw.centre_energy as readings set co2_kg = null from ("
            "  select centre_id, _delivery_id, min(reading_hour) as first_hour,"
            "  max(reading_hour) as last_hour from raw.centre_energy group by all"
            ") as edges where readings.centre_id = edges.centre_id"
            " and readings._delivery_id = edges._delivery_id"
            " and readings.reading_hour in (edges.first_hour, edges.last_hour)"
        )
    rebuilt = duckdb_dbt(warehouse, root, "run", "--select", "tag:record_level", *CONSUMERS)
    assert rebuilt.returncode == 0, rebuilt.stdout[-6000:]
    return warehouse


@pytest.fixture(scope="module")
def spark_outputs(
    spark_tools: Path, duckdb_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The record-level models built by Spark from the same raw rows: the lake."""
    root = tmp_path_factory.mktemp("spark")
    lake, spark = root / "lake", root / "spark"
    exported = export_raw(duckdb_warehouse, lake)
    assert all(exported[source] > 0 for source in RECORD_LEVEL_SOURCES), exported
    # The models and what they read (the staging views over the raw tables), without their
    # data tests: those ran on the same rows in the pipeline; what Spark must show here is
    # the same rows.
    command = spark_dbt(["run", "--select", "+tag:record_level"], spark, spark_tools)
    result = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=spark_environment(lake, spark),
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return lake


def test_spark_builds_the_same_rows_as_duckdb(duckdb_warehouse: Path, spark_outputs: Path) -> None:
    with duckdb.connect(str(duckdb_warehouse), read_only=True) as connection:
        [(emptied,)] = connection.execute(
            "select count(*) from intermediate.int_centre_energy_months"
            " where first_co2_kg is not null and hours_with_co2 < hours_present"
        ).fetchall()
        assert emptied, "no month with an empty CO2 hour: the null case is not compared"
        for model, key in RECORD_LEVEL_MODELS.items():
            files = spark_outputs / model
            assert sorted(files.glob("*.parquet")), f"Spark wrote no Parquet for {model}"
            columns, duckdb_rows = rows_by_key(connection, f"intermediate.{model}", key)
            spark_columns, spark_rows = rows_by_key(
                connection, f"read_parquet('{files}/*.parquet')", key
            )
            assert spark_columns == columns, model
            assert duckdb_rows, f"{model}: no rows to compare"
            assert spark_rows.keys() == duckdb_rows.keys(), (
                model,
                sorted(spark_rows.keys() - duckdb_rows.keys(), key=str)[:10],
                sorted(duckdb_rows.keys() - spark_rows.keys(), key=str)[:10],
            )
            differences = [
                (identity, column, shown(row[column]), shown(spark_rows[identity][column]))
                for identity, row in duckdb_rows.items()
                for column in columns
                if not same(row[column], spark_rows[identity][column])
            ]
            assert not differences, f"{model}: (key, column, DuckDB, Spark) {differences[:10]}"


def test_the_index_reads_sparks_output_as_duckdbs(
    duckdb_warehouse: Path, spark_outputs: Path, tmp_path: Path
) -> None:
    """With `record_engine: spark`, the DuckDB consumers of the record-level models (patent
    indicators, centre-years) read Spark's Parquet and give the rows they give from DuckDB's
    tables."""
    warehouse = tmp_path / "suanli.duckdb"
    shutil.copy(duckdb_warehouse, warehouse)
    result = duckdb_dbt(
        warehouse, tmp_path, "run", "--select", *CONSUMERS, "--vars", "{record_engine: spark}",
        lake=spark_outputs,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(f"attach '{duckdb_warehouse}' as before (read_only)")
        for consumer, model in CONSUMERS.items():
            compiled = next((tmp_path / "target" / "run").rglob(f"{consumer}.sql")).read_text()
            assert f"read_parquet('{spark_outputs}/{model}/*.parquet')" in compiled, consumer
            for direction in (
                f"select * from intermediate.{consumer} except all "
                f"select * from before.intermediate.{consumer}",
                f"select * from before.intermediate.{consumer} except all "
                f"select * from intermediate.{consumer}",
            ):
                [(differing,)] = connection.execute(
                    f"select count(*) from ({direction})"
                ).fetchall()
                assert differing == 0, (consumer, direction)

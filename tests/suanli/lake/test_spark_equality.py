"""The record-level models give the same rows on Spark as on DuckDB, and the index reads
Spark's Parquet as it reads DuckDB's tables.

The session's pipeline run built the record-level models on DuckDB. Here their raw rows are
exported to Parquet (`suanli.lake.export`), the same models run on a local Spark session
(dbt-spark `session` method, the Spark virtualenv of `make spark`, Java 17), and every row
Spark wrote is matched on its key with DuckDB's: counts, identifiers, hours, dates and lineage
lists exactly, floating-point values (ratios, registers) within 1e-9. One Spark invocation
builds every record-level model: a Spark session takes tens of seconds to start on two cores.

Without the Spark virtualenv or Java the test is skipped on a developer machine and fails
under CI (`CI=true`), where `make test` provides both.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

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


@pytest.fixture(scope="module")
def spark_outputs(env: dict[str, str], first_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The record-level models built by Spark from the first run's raw rows: the lake."""
    venv = spark_venv()
    if not (venv / "bin" / "dbt").exists():
        missing(f"no Spark virtualenv at {venv}: run `make spark`")
    if java_home() is None:
        missing("no Java: Spark needs Java 17 (make system-deps)")
    root = tmp_path_factory.mktemp("spark")
    lake, spark = root / "lake", root / "spark"
    exported = export_raw(Path(env["SUANLI_WAREHOUSE"]), lake)
    assert all(exported[source] > 0 for source in RECORD_LEVEL_SOURCES), exported
    # The models and what they read (the staging views over the raw tables), without their
    # data tests: those ran on the same rows in the pipeline; what Spark must show here is
    # the same rows.
    command = spark_dbt(["run", "--select", "+tag:record_level"], spark, venv)
    result = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=spark_environment(lake, spark, env),
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return lake


def test_spark_builds_the_same_rows_as_duckdb(env: dict[str, str], spark_outputs: Path) -> None:
    with duckdb.connect(env["SUANLI_WAREHOUSE"], read_only=True) as connection:
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
    env: dict[str, str], spark_outputs: Path, tmp_path: Path
) -> None:
    """With `record_engine: spark`, the DuckDB consumers of the record-level models (patent
    indicators, centre-years) read Spark's Parquet and give the rows they give from DuckDB's
    tables."""
    warehouse = tmp_path / "suanli.duckdb"
    shutil.copy(env["SUANLI_WAREHOUSE"], warehouse)
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "run", "--select", *CONSUMERS, "--vars", "{record_engine: spark}",
         "--profiles-dir", ".", "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600,
        env={**env, "SUANLI_WAREHOUSE": str(warehouse), "SUANLI_LAKE": str(spark_outputs)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(f"attach '{env['SUANLI_WAREHOUSE']}' as before (read_only)")
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

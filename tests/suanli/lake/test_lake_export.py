"""The lake export writes the current rows of the record-level sources, and their deliveries,
as Parquet; the Spark runner picks a Java 17 and keeps dbt's artefacts away from Dagster's."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from suanli.lake.export import export_raw
from suanli.lake.spark import java_home, spark_dbt, spark_environment


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A work file with two patent deliveries (the second current) and one telemetry month."""
    path = tmp_path / "suanli.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.deliveries as select * from (values"
            " ('old', 'patents', null, false), ('new', 'patents', null, true),"
            " ('m1', 'centre_energy', '2024-01', true), ('s', 'supercomputers', null, true))"
            " as t(delivery_id, source, partition_key, is_current)"
        )
        connection.execute(
            "create table raw.patents as select * from (values"
            " ('CN1', date '2020-01-02', 'old', 2), ('CN2', date '2021-03-04', 'new', 2),"
            " ('CN3', date '2022-05-06', 'new', 3))"
            " as t(patent_id, filing_date, _delivery_id, _row_number)"
        )
        connection.execute(
            "create table raw.centre_energy as select * from (values"
            " ('C1', timestamp '2024-01-01 00:00:00', 1.5, 'm1', 2))"
            " as t(centre_id, reading_hour, facility_kwh, _delivery_id, _row_number)"
        )
    return path


def test_export_writes_current_rows_and_their_deliveries(warehouse: Path, tmp_path: Path):
    lake = tmp_path / "lake"
    stale = lake / "raw" / "patents" / "left-over.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"not parquet")
    written = export_raw(warehouse, lake)
    assert written == {"patents": 2, "centre_energy": 1, "deliveries": 3}
    assert not stale.exists()
    with duckdb.connect() as connection:
        patents = connection.execute(
            f"select patent_id, filing_date, _delivery_id from '{lake}/raw/patents/*.parquet'"
            " order by patent_id"
        ).fetchall()
        assert [(row[0], row[2]) for row in patents] == [("CN2", "new"), ("CN3", "new")]
        [(kind,)] = connection.execute(
            f"select typeof(reading_hour) from '{lake}/raw/centre_energy/*.parquet'"
        ).fetchall()
        assert kind == "TIMESTAMP"  # typed, not text: Spark reads a timestamp
        sources = connection.execute(
            f"select distinct source from '{lake}/raw/deliveries/*.parquet' order by 1"
        ).fetchall()
        assert sources == [("centre_energy",), ("patents",)]


def test_java_17_is_preferred_to_the_first_java_on_the_path(tmp_path: Path) -> None:
    jvm = tmp_path / "jvm"
    for name in ("temurin-25-jdk-amd64", "java-17-openjdk-amd64"):
        (jvm / name / "bin").mkdir(parents=True)
        (jvm / name / "bin" / "java").touch()
    path = str(jvm / "temurin-25-jdk-amd64" / "bin")
    assert java_home({"PATH": path}, jvm) == jvm / "java-17-openjdk-amd64"
    assert java_home({"PATH": path, "JAVA_HOME": "/opt/jdk"}, jvm) == Path("/opt/jdk")
    assert java_home({"PATH": str(tmp_path)}, tmp_path / "none") is None


def test_spark_dbt_keeps_its_artefacts_in_the_spark_folder(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "dbt").touch()
    command = spark_dbt(["run"], tmp_path / "spark", venv)
    assert command[:2] == [str(venv / "bin" / "dbt"), "run"]
    assert command[command.index("--target") + 1] == "spark"
    assert command[command.index("--target-path") + 1] == str(tmp_path / "spark" / "target")
    environment = spark_environment(tmp_path / "lake", tmp_path / "spark", {"JAVA_HOME": "/j"})
    assert environment["SUANLI_LAKE"] == str(tmp_path / "lake")
    assert environment["JAVA_HOME"] == "/j"

"""dbt on the `spark` target, from the Spark virtualenv (`make spark`), on a local session.

    python -m suanli.lake.spark [dbt arguments; default: the record-level build below]

exports the work file's record-level rows to the lake (`suanli.lake.export`), then runs dbt
with the given arguments on the `spark` target in the Spark virtualenv: by default `build`s the
record-level models, the staging views they read and the data tests of both (the sources'
own tests are left out: under Spark a raw table is a Parquet folder read in place, not a table
a source test could name; they run on DuckDB). dbt-spark and pyspark
live in a virtualenv of their own (tools/spark/requirements.lock): pyspark is 400 MB and
dbt-spark's dependencies are none of the product's business.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from suanli.settings import DBT_PROJECT_DIR, lake_dir, spark_dir, spark_venv, warehouse_path

# Spark 4 runs on Java 17 and 21. Debian's OpenJDK 17 is what `make system-deps` installs;
# a machine may have other JDKs first on its PATH (this one has a Temurin 25, which Spark 4.x
# does not support), so an OpenJDK 17 under /usr/lib/jvm is preferred to `java` on the PATH.
JVM_DIR = Path("/usr/lib/jvm")
RECORD_LEVEL_BUILD = ("build", "--select", "+tag:record_level", "--exclude", "source:*")


def java_home(environ: Mapping[str, str] | None = None, jvm_dir: Path = JVM_DIR) -> Path | None:
    """The JDK Spark should use: JAVA_HOME when set, else a Java 17 under `jvm_dir`, else the
    one `java` on the PATH belongs to; None when there is no Java at all."""
    environ = os.environ if environ is None else environ
    if configured := environ.get("JAVA_HOME"):
        return Path(configured)
    candidates = sorted(jvm_dir.glob("java-17-openjdk*")) if jvm_dir.is_dir() else []
    for candidate in candidates:
        if (candidate / "bin" / "java").exists():
            return candidate
    if java := shutil.which("java", path=environ.get("PATH")):
        return Path(java).resolve().parents[1]
    return None


def spark_environment(
    lake: Path, spark: Path, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment dbt runs in on the `spark` target: JAVA_HOME chosen, the lake and the
    Spark folder (metastore, warehouse dir) as absolute paths, read by the profile and macros."""
    environment = dict(os.environ if environ is None else environ)
    home = java_home(environment)
    if home is None:
        raise RuntimeError("no Java: Spark needs Java 17 (apt-get install openjdk-17-jre-headless)")
    environment["JAVA_HOME"] = str(home)
    environment["SUANLI_LAKE"] = str(lake.resolve())
    environment["SUANLI_SPARK_DIR"] = str(spark.resolve())
    return environment


def spark_dbt(args: Sequence[str], spark: Path, venv: Path | None = None) -> list[str]:
    """The dbt command line on the `spark` target, from the Spark virtualenv. Its artefacts
    and logs go under the Spark folder: dbt_project/target holds the DuckDB manifest Dagster
    loads, which a Spark parse must not replace."""
    dbt = (venv or spark_venv()) / "bin" / "dbt"
    if not dbt.exists():
        raise RuntimeError(f"no Spark virtualenv at {dbt.parents[1]}: run `make spark`")
    return [
        str(dbt),
        *args,
        "--target", "spark",
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(spark.resolve() / "target"),
        "--log-path", str(spark.resolve() / "logs"),
    ]  # fmt: skip


def run_spark_dbt(
    args: Sequence[str], *, export: bool = True, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Export the work file's raw record-level rows to the lake (unless `export` is false),
    then run dbt with `args` on Spark; dbt's output goes to this process's."""
    lake, spark = lake_dir(), spark_dir()
    environment = spark_environment(lake, spark)
    if export:
        from suanli.lake.export import export_raw

        export_raw(warehouse_path(), lake)
    spark.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        spark_dbt(args, spark),
        cwd=DBT_PROJECT_DIR, env=environment, text=True, check=False, timeout=timeout,
    )  # fmt: skip


def main() -> None:
    sys.exit(run_spark_dbt(sys.argv[1:] or RECORD_LEVEL_BUILD).returncode)


if __name__ == "__main__":
    main()

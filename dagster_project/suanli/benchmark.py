"""Benchmark: time a full materialisation and a bare `dbt build` on a fresh warehouse.

    python -m suanli.benchmark        (or: make benchmark)

Prints figures; targets on the 2-core reference machine: full run of all years < 90 s,
dbt build < 30 s. Runs in a temporary DAGSTER_HOME and warehouse, leaving data/ untouched.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from suanli.paths import DBT_PROJECT_DIR, REPO_ROOT


def isolated_environment(root: Path) -> dict[str, str]:
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "SUANLI_WAREHOUSE": str(root / "suanli.duckdb"),
        "SUANLI_ARCHIVE": str(root / "archive"),
        "SUANLI_GX_DOCS": str(root / "gx_docs"),
    }


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if completed.returncode:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return time.perf_counter() - started


def main() -> None:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="suanli-benchmark-") as tmp:
        env = isolated_environment(Path(tmp))
        full = timed([sys.executable, "-m", "suanli.cli", "materialize"], env, REPO_ROOT)
        dbt = timed([str(bin_dir / "dbt"), "build", "--profiles-dir", "."], env, DBT_PROJECT_DIR)
        with duckdb.connect(env["SUANLI_WAREHOUSE"], read_only=True) as connection:
            values, scores = connection.execute(
                "select (select count(*) from marts.fct_indicator_values),"
                " (select count(*) from marts.fct_index_scores)"
            ).fetchone()
        size_mb = Path(env["SUANLI_WAREHOUSE"]).stat().st_size / 2**20
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cores: {os.cpu_count()}")
    print(f"full materialisation, all years, fresh warehouse: {full:6.1f} s  (target < 90 s)")
    print(f"dbt build, all models and tests, all years:       {dbt:6.1f} s  (target < 30 s)")
    print(f"rows: fct_indicator_values {values}, fct_index_scores {scores}")
    print(f"warehouse file: {size_mb:.1f} MiB; peak child RSS: {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()

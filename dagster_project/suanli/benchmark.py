"""Benchmark: intake of a 1 M-row registry, a full materialisation and a bare `dbt build`.

    python -m suanli.benchmark        (or: make benchmark)

Prints figures, then one machine-readable `BENCHMARK {json}` line last. Targets on the 2-core
reference machine: a 1 M-row registry validated in ≤ 10 s with ≤ 1 GB peak memory; full run of
all years < 90 s; dbt build < 30 s. Runs in a temporary DAGSTER_HOME and warehouse, leaving
data/ untouched. Each part runs in its own process, so its peak memory is its own.
"""

from __future__ import annotations

import json
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


INTAKE_ROWS = 1_000_000


def write_registry(path: Path, rows: int) -> None:
    """The bundled 2025 registry repeated to `rows` centres, each with its own id."""
    source = (REPO_ROOT / "seeds/snapshot/compute_centres/compute_centres_2025.csv").read_text(
        encoding="utf-8"
    )
    header, *body = source.splitlines()
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        for n in range(rows):
            line = body[n % len(body)]
            handle.write(f"DC-{n:09d}{line[line.index(',') :]}\n")


def measure_intake(path: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of `python -m suanli.benchmark --intake FILE` in its own process."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "suanli.benchmark", "--intake", str(path)],
        capture_output=True, text=True,
    )  # fmt: skip
    if completed.returncode:
        raise SystemExit(f"intake benchmark failed:\n{completed.stderr[-3000:]}")
    seconds = float(completed.stdout.split()[-1])
    del started
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def intake_only(path: Path) -> None:
    """Child process: the pipeline's intake of one registry file, timed from reading the bytes."""
    from suanli.sources.catalog import source_specs
    from suanli.sources.delivery import Delivery
    from suanli.sources.readers import reader_for

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    spec = next(spec for spec in source_specs(manifest) if spec.name == "compute_centres")
    started = time.perf_counter()
    delivery = Delivery(spec.name, "2025", "compute_centres_2025.csv", path.read_bytes())
    with duckdb.connect() as connection:
        candidate = reader_for(spec)(connection, delivery)
        assert candidate.rows == INTAKE_ROWS, candidate.rows
    print(f"{time.perf_counter() - started:.3f}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--intake":
        intake_only(Path(sys.argv[2]))
        return
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="suanli-benchmark-") as tmp:
        registry = Path(tmp) / "compute_centres_2025.csv"
        write_registry(registry, INTAKE_ROWS)
        intake_s, intake_mb = measure_intake(registry)
        registry.unlink()
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
    print(
        f"intake of a {INTAKE_ROWS:,}-row registry: {intake_s:6.1f} s, peak {intake_mb:.0f} MiB"
        "  (target ≤ 10 s, ≤ 1024 MiB)"
    )
    print(f"full materialisation, all years, fresh warehouse: {full:6.1f} s  (target < 90 s)")
    print(f"dbt build, all models and tests, all years:       {dbt:6.1f} s  (target < 30 s)")
    print(f"rows: fct_indicator_values {values}, fct_index_scores {scores}")
    print(f"warehouse file: {size_mb:.1f} MiB; peak child RSS: {peak_mb:.0f} MiB")
    figures = {
        "full_s": round(full, 1),
        "dbt_build_s": round(dbt, 1),
        "peak_rss_mb": round(peak_mb),
        "intake_1m_s": round(intake_s, 2),
        "intake_1m_rss_mb": round(intake_mb),
    }
    print("BENCHMARK " + json.dumps(figures))


if __name__ == "__main__":
    main()

"""Benchmark: intake of a 1 M-row registry; a full materialisation, the same again with
nothing changed, a bare `dbt build` of the same selection, and one year re-materialised after
a corrected delivery (in its own interpreter, then again forked from a run server, as under
`make serve`) with a bare `dbt build` of that run's dbt command; the robustness audit's Monte
Carlo at 10,000 runs.

    python -m suanli.benchmark        (or: make benchmark)

Prints each figure with its goal on the 2-core reference machine, the steps of the full run,
then one machine-readable `BENCHMARK {json}` line last. Runs in a temporary DAGSTER_HOME,
warehouse, archive, report, exports, logs and landing copy, leaving data/ untouched. Each part
runs in its own process, so its peak memory is its own.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from suanli import settings
from suanli.settings import DBT_PROJECT_DIR, REPO_ROOT
from suanli.transform.assets import BUILD_ARGS
from suanli.transform.dbt_command import YEARS_ENV
from suanli.zygote import stop_server

if TYPE_CHECKING:
    from dagster import DagsterInstance


def isolated_environment(root: Path) -> dict[str, str]:
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        settings.WAREHOUSE.name: str(root / "suanli.duckdb"),
        settings.ARCHIVE.name: str(root / "archive"),
        settings.GX_DOCS.name: str(root / "gx_docs"),
        # a report, exports and logs of its own: a report folder left by an earlier run would
        # lend the full run the charts it holds
        settings.REPORT_DIR.name: str(root / "report"),
        settings.EXPORT_DIR.name: str(root / "exports"),
        settings.LOG_DIR.name: str(root / "logs"),
        # where a run server's sockets are looked for: a user's `make serve` is not this one's
        "TMPDIR": str(root),
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


def child_output(flag: str, path: Path) -> list[str]:
    """The words `python -m suanli.benchmark FLAG PATH` prints, run in a process of its own."""
    completed = subprocess.run(
        [sys.executable, "-m", "suanli.benchmark", flag, str(path)],
        capture_output=True, text=True,
    )  # fmt: skip
    if completed.returncode:
        raise SystemExit(f"benchmark {flag} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout.split()


def measure_intake(path: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of the intake of FILE (`--intake`), the benchmark's first child."""
    seconds = float(child_output("--intake", path)[-1])
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def intake_only(path: Path) -> None:
    """Child process: the pipeline's intake of one registry file, timed from reading the bytes."""
    from suanli.intake.catalog import source_specs
    from suanli.intake.delivery import Delivery
    from suanli.intake.readers import reader_for

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    spec = next(spec for spec in source_specs(manifest) if spec.name == "compute_centres")
    started = time.perf_counter()
    delivery = Delivery(spec.name, "2025", "compute_centres_2025.csv", path.read_bytes())
    with duckdb.connect() as connection:
        candidate = reader_for(spec)(connection, delivery)
        assert candidate.rows == INTAKE_ROWS, candidate.rows
    print(f"{time.perf_counter() - started:.3f}")


MC_RUNS = 10_000


def measure_monte_carlo(warehouse: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of MC_RUNS Monte Carlo runs for every system, year and unit
    level of `warehouse`, in a process of its own (`--monte-carlo FILE`)."""
    seconds, peak_mb = child_output("--monte-carlo", warehouse)[-2:]
    return float(seconds), float(peak_mb)


def monte_carlo_only(warehouse: Path) -> None:
    """Child process: the audit's rank uncertainty at MC_RUNS runs, timed from reading the
    warehouse's tables; prints seconds and the process's peak RSS (MiB)."""
    from suanli.index.robustness.coin import coins_from_frames
    from suanli.index.robustness.tables import frames_from_warehouse
    from suanli.index.robustness.uncertainty import Choices, rank_uncertainty

    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        frames = frames_from_warehouse(connection)
    for coin in coins_from_frames(**frames):
        rank_uncertainty(coin, Choices(runs=MC_RUNS))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{time.perf_counter() - started:.3f} {peak_mb:.0f}")


@contextmanager
def latest_run(env: dict[str, str]) -> Iterator[tuple[DagsterInstance, str]]:
    """The benchmark's Dagster instance and the id of its latest run."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        (record,) = instance.get_run_records(limit=1)
        yield instance, record.dagster_run.run_id


def step_seconds(env: dict[str, str]) -> dict[str, float]:
    """Seconds of each step of the latest run in the benchmark's Dagster instance."""
    from dagster import DagsterEventType

    with latest_run(env) as (instance, run_id):
        successes = instance.get_records_for_run(
            run_id, of_type=DagsterEventType.STEP_SUCCESS
        ).records
        return {
            entry.event_log_entry.step_key: (
                entry.event_log_entry.dagster_event.event_specific_data.duration_ms / 1000
            )
            for entry in successes
        }


# dagster-dbt logs the command of each invocation in the step's log.
DBT_COMMAND = re.compile(r"Running dbt command: `([^`]*)`")


def dbt_arguments(message: str) -> list[str] | None:
    """The arguments after the program of the dbt command a log message names, if it names one."""
    found = DBT_COMMAND.search(message)
    return shlex.split(found[1])[1:] if found else None


def last_dbt_arguments(env: dict[str, str]) -> list[str]:
    """The arguments of the dbt command the latest run in the benchmark's instance ran."""
    with latest_run(env) as (instance, run_id):
        for entry in instance.get_records_for_run(run_id).records:
            arguments = dbt_arguments(entry.event_log_entry.user_message)
            if arguments:
                return arguments
    raise SystemExit("the latest run's log names no dbt command")


def timed_served(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> float:
    """`command` timed as it runs forked from a run server (`python -m suanli.cli serve`, its
    imports done before), which is stopped after."""
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "suanli.cli", "serve"], env=env, cwd=cwd, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while log.read_text(encoding="utf-8").count("imports took") < 2:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the run server did not start:\n{log.read_text('utf-8')}")
            time.sleep(0.1)
        seconds = timed(command, env, cwd)
        if "runs cli materialize" not in log.read_text(encoding="utf-8"):
            raise SystemExit(f"the run was not forked:\n{log.read_text('utf-8')}")
        return seconds
    finally:
        stop_server(server, timeout=60)


def change_a_2025_delivery(landing: Path) -> None:
    """A corrected 2025 registry: one centre's racks in use, one more than before."""
    registry = landing / "compute_centres" / "compute_centres_2025.csv"
    header, first, *rest = registry.read_text(encoding="utf-8").splitlines()
    fields = header.split(",")
    cells = first.split(",")
    column = fields.index("racks_in_use")
    cells[column] = str(int(float(cells[column])) + 1)
    registry.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8")


# (key, label, goal) of each figure the benchmark prints, in order.
FIGURES = [
    ("full_s", "full materialisation, every system and year, fresh warehouse", "≤ 30 s"),
    ("one_year_s", "one year re-materialised (a corrected 2025 registry)", "≤ 10 s, ≤ 0.35 × full"),
    ("one_year_served_s", "the same, forked from a run server (make serve)", ""),
    ("noop_s", "nothing changed, run again", "≤ 5 s"),
    ("dbt_build_s", "bare `dbt build` of the run's selection (suanli-dbt, as runs)", ""),
    ("dbt_in_run_s", "the dbt step of the full run", "≤ 1.3 × bare dbt build"),
    ("exports_s", "exports (Parquet + workbook) in the full run", "≤ 3 s"),
    ("report_s", "report in the full run", ""),
    ("one_year_dbt_s", "the dbt step of the one-year run", ""),
    ("one_year_report_s", "the report in the one-year run", ""),
    ("one_year_dbt_bare_s", "bare `dbt build` of the one-year run's selection and year", ""),
]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--intake":
        intake_only(Path(sys.argv[2]))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--monte-carlo":
        monte_carlo_only(Path(sys.argv[2]))
        return
    bin_dir = Path(sys.executable).parent
    materialize = [sys.executable, "-m", "suanli.cli", "materialize"]
    with tempfile.TemporaryDirectory(prefix="suanli-benchmark-") as tmp:
        registry = Path(tmp) / "compute_centres_2025.csv"
        write_registry(registry, INTAKE_ROWS)
        intake_s, intake_mb = measure_intake(registry)
        registry.unlink()
        env = isolated_environment(Path(tmp))
        landing = Path(tmp) / "landing"
        shutil.copytree(REPO_ROOT / "seeds" / "snapshot", landing)
        env["SUANLI_LANDING"] = str(landing)

        full = timed(materialize, env, REPO_ROOT)
        steps = step_seconds(env)
        mc_s, mc_mb = measure_monte_carlo(Path(env[settings.WAREHOUSE.name]))
        noop = timed(materialize, env, REPO_ROOT)
        dbt = timed(
            [str(bin_dir / "suanli-dbt"), *BUILD_ARGS, "--profiles-dir", "."], env, DBT_PROJECT_DIR
        )
        change_a_2025_delivery(landing)
        one_year = timed([*materialize, "--years", "2025"], env, REPO_ROOT)
        one_year_steps = step_seconds(env)
        # The same dbt command as the one-year run's dbt step, bare: dbt's own share of it.
        one_year_dbt_bare = timed(
            [str(bin_dir / "suanli-dbt"), *last_dbt_arguments(env), "--profiles-dir", "."],
            {**env, YEARS_ENV: json.dumps([2025])},
            DBT_PROJECT_DIR,
        )
        change_a_2025_delivery(landing)  # again: the same run, from a run server
        one_year_served = timed_served(
            [*materialize, "--years", "2025"], env, REPO_ROOT, Path(tmp) / "serve.log"
        )
        with duckdb.connect(env["SUANLI_WAREHOUSE"], read_only=True) as connection:
            values, scores = connection.execute(
                "select (select count(*) from marts.fct_indicator_values),"
                " (select count(*) from marts.fct_index_scores)"
            ).fetchone()
        size_mb = Path(env["SUANLI_WAREHOUSE"]).stat().st_size / 2**20
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "full_s": round(full, 1),
        "one_year_s": round(one_year, 1),
        "one_year_served_s": round(one_year_served, 1),
        "noop_s": round(noop, 1),
        "dbt_build_s": round(dbt, 1),
        "dbt_in_run_s": round(steps.get("dbt_models", 0.0), 1),
        "exports_s": round(steps.get("exports__marts", 0.0), 1),
        "report_s": round(steps.get("report__blue_book", 0.0), 1),
        # the one-year run rebuilds what reads the corrected registry (a partial run)
        "one_year_dbt_s": round(one_year_steps.get("dbt_models", 0.0), 1),
        "one_year_steps": len(one_year_steps),
        # …and draws again only the charts whose data it moved (suanli.report.drawn)
        "one_year_report_s": round(one_year_steps.get("report__blue_book", 0.0), 1),
        "one_year_dbt_bare_s": round(one_year_dbt_bare, 1),
        "peak_rss_mb": round(peak_mb),
        "intake_1m_s": round(intake_s, 2),
        "intake_1m_rss_mb": round(intake_mb),
        "mc_10k_s": round(mc_s, 1),
        "mc_10k_rss_mb": round(mc_mb),
    }
    print(f"cores: {os.cpu_count()}")
    for key, label, goal in FIGURES:
        print(f"{label:<66} {figures[key]:6.1f} s" + (f"  (goal {goal})" if goal else ""))
    print(
        f"one year / full: {one_year / full:.2f}; dbt in run / bare dbt build: "
        f"{figures['dbt_in_run_s'] / dbt:.2f}"
    )
    print(
        f"intake of a {INTAKE_ROWS:,}-row registry: {intake_s:6.1f} s, peak {intake_mb:.0f} MiB"
        "  (goal ≤ 10 s, ≤ 1024 MiB)"
    )
    print(
        f"Monte Carlo, {MC_RUNS:,} runs for every system, year and unit level: {mc_s:6.1f} s, "
        f"peak {mc_mb:.0f} MiB  (goal ≤ 20 s, ≤ 2048 MiB)"
    )
    for name, run_steps in (("full run", steps), ("one-year run", one_year_steps)):
        print(f"steps of the {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in run_steps.items()))
    print(f"rows: fct_indicator_values {values}, fct_index_scores {scores}")
    print(f"warehouse file: {size_mb:.1f} MiB; peak child RSS: {peak_mb:.0f} MiB")
    print("BENCHMARK " + json.dumps(figures))


if __name__ == "__main__":
    main()

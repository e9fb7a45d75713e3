"""The scale benchmark: `make benchmark-scale ROWS=100000000` (or, with PYTHONPATH=tools,
`python -m scale_benchmark --rows N`). Never a timed test.

In one run, on whatever the machine is doing besides (the reference is 2 cores):
- telemetry_s: ROWS hourly readings (ROWS ÷ 8,760 centres, one year, 12 month files, with
  realistic gaps) through the real intake (`suanli.intake.delivery.store`: archive, read,
  check, load) into a fresh DuckDB warehouse, then `dbt build` of the centre / city /
  province PUE mart and everything upstream of it; the registry's intake included;
- pandas_s: a straightforward pandas implementation of the same result, run on a sample it
  can hold (whole month files up to 10 M rows) and scaled linearly to ROWS;
- duckdb_hand_s: one hand-written DuckDB query over the same month files;
- patents_10m_s: a 10 M-row patent list through intake and the patent indicator models;
- spark_s: the Spark run of the record-level models, when its environment exists;
- peak_rss_mb: the highest peak RSS of the pipeline's processes (intake and dbt).
Also: a small defective month through the intake checks, to show that quarantine works.

Data are generated when absent (tools/scale_generator), cached under data/scale/ by rows and
seed; each measurement runs in a process of its own. Prints a table with the ratios and
goals, then `BENCHMARK {json}` last.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

from suanli.settings import DBT_PROJECT_DIR, REPO_ROOT

DATA = REPO_ROOT / "data" / "scale"
HOURS = 8760
SAMPLE_ROWS = 10_000_000
PATENT_ROWS = 10_000_000
YEAR = 2025
SEED = 7
TELEMETRY_MARTS = ("fct_centre_energy", "fct_centre_pue", "fct_energy_efficiency")
PATENT_MODELS = ("int_indicators__patents",)
TOOLS = REPO_ROOT / "tools"
# One warehouse path for every dbt run of the benchmark (a fresh file each time): dbt parses
# the project again whenever the profile changes, the warehouse path included.
WAREHOUSE = "warehouse.duckdb"
# DuckDB's memory during intake: the product's 512 MB default is for the bundled deliveries;
# a 1 GB patent list needs more (one block of ~430 MB). Within the 6 GB goal.
INTAKE_MEMORY = "3GB"


# ------------------------------------------------------------------------------ children


def peaks_mb() -> tuple[float, float]:
    """(this process's peak RSS, its waited-for children's highest), MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def report(**figures: object) -> None:
    own, children = peaks_mb()
    print(json.dumps({**figures, "peak_mb": round(max(own, children))}))


@cache
def manifest_nodes() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))


def source_spec(name: str):
    from suanli.intake.catalog import source_specs

    return next(spec for spec in source_specs(manifest_nodes()) if spec.name == name)


SECONDS: list[float] = []  # of each delivery's store(), in order


def intake(
    warehouse: Path, archive: Path, deliveries: list[tuple[str, str | None, Path]]
) -> list[int]:
    """Each (source, slot, file) through the pipeline's intake, in order: rows loaded per
    delivery. A quarantined delivery stops the benchmark (the clean path is what is timed)."""
    import duckdb

    from suanli.intake.audits import audit_delivery
    from suanli.intake.delivery import Delivery, store
    from suanli.intake.readers import reader_for

    rows = []
    connection = duckdb.connect(str(warehouse))
    try:
        for source, slot, path in deliveries:
            spec = source_spec(source)
            delivery = Delivery(spec.name, slot, path.name, path.read_bytes())
            started = time.perf_counter()
            result = store(connection, spec, delivery, archive, reader_for(spec), audit_delivery)
            SECONDS.append(round(time.perf_counter() - started, 1))
            if result.status != "loaded":
                raise SystemExit(f"{path.name}: {result.status}: {result.problems[:5]}")
            rows.append(result.row_count)
    finally:
        started = time.perf_counter()
        connection.close()  # DuckDB checkpoints what its write-ahead log holds
        SECONDS.append(round(time.perf_counter() - started, 1))
    return rows


def dbt_build(warehouse: Path, selection: str) -> None:
    from suanli.transform.assets import BUILD_ARGS

    env = {**os.environ, "SUANLI_WAREHOUSE": str(warehouse)}
    dbt = Path(sys.executable).parent / "suanli-dbt"  # as runs invoke it: partial parsing
    command = [str(dbt), *BUILD_ARGS, "--select", selection, "--profiles-dir", "."]
    completed = subprocess.run(
        command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True
    )
    if completed.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stdout[-4000:]}")


def first_model(names: tuple[str, ...]) -> str | None:
    models = {
        node["name"]
        for node in manifest_nodes()["nodes"].values()
        if node["resource_type"] == "model"
    }
    return next((name for name in names if name in models), None)


def child_telemetry(landing: Path, run: Path) -> None:
    """Intake of the registry and every month file, then dbt up to the PUE mart."""
    mart = first_model(TELEMETRY_MARTS)
    registry = landing / "compute_centres" / f"compute_centres_{YEAR}.csv"
    months = sorted((landing / "centre_energy" / str(YEAR)).glob("centre_energy_*"))
    warehouse = run / WAREHOUSE
    started = time.perf_counter()
    deliveries = [("compute_centres", str(YEAR), registry)]
    energy = source_spec("centre_energy")  # each month file its own delivery (slot 2025-03)
    deliveries += [("centre_energy", energy.slot_for(str(YEAR), p.name), p) for p in months]
    rows = intake(warehouse, run / "archive", deliveries)
    intake_s = time.perf_counter() - started
    province_pue = {}
    if mart:
        dbt_build(warehouse, f"+{mart}")
    seconds = time.perf_counter() - started
    if mart == "fct_centre_energy":  # the result, to compare with the hand-written query's
        import duckdb

        with duckdb.connect(str(warehouse), read_only=True) as connection:
            province_pue = dict(
                connection.execute(
                    "select unit_code, pue from marts.fct_centre_energy "
                    "where unit_level = 'province' and year = ? and pue is not null",
                    [YEAR],
                ).fetchall()
            )
    report(
        seconds=seconds,
        intake_s=intake_s,
        rows=sum(rows[1:]),  # the registry's rows apart
        registry_s=SECONDS[0],
        month_s=SECONDS[1:-1],
        close_s=SECONDS[-1],
        mart=mart,
        warehouse_mb=warehouse.stat().st_size / 2**20,
        province_pue=province_pue,
    )


def child_patents(landing: Path, run: Path) -> None:
    model = first_model(PATENT_MODELS)
    patents_csv = landing / "patents" / "patents.csv"
    warehouse = run / WAREHOUSE
    warehouse.unlink(missing_ok=True)
    shutil.rmtree(run / "archive", ignore_errors=True)
    started = time.perf_counter()
    (rows,) = intake(warehouse, run / "archive", [("patents", None, patents_csv)])
    intake_s = time.perf_counter() - started
    if model:
        dbt_build(warehouse, f"+{model}")
    report(seconds=time.perf_counter() - started, intake_s=intake_s, rows=rows, model=model)


def child_baseline(kind: str, landing: Path, sample_rows: int) -> None:
    import duckdb

    from scale_benchmark.baselines import duckdb_hand, pandas_straightforward

    registry = landing / "compute_centres" / f"compute_centres_{YEAR}.csv"
    months = sorted((landing / "centre_energy" / str(YEAR)).glob("centre_energy_*.parquet"))
    with duckdb.connect() as connection:
        counts = [
            connection.execute(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
            for path in months
        ]
    if kind == "pandas":  # whole month files while they fit the sample (one at least)
        chosen, total = [], 0
        for path, count in zip(months, counts, strict=True):
            if chosen and total + count > sample_rows:
                break
            chosen.append(path)
            total += count
        months, counts = chosen, [total]
    started = time.perf_counter()
    result = (pandas_straightforward if kind == "pandas" else duckdb_hand)(months, registry)
    seconds = time.perf_counter() - started
    province = result[result["level"] == "province"].set_index("unit")["pue"]
    report(
        seconds=seconds,
        rows=sum(counts),
        units=len(result),
        province_pue={code: round(value, 6) for code, value in province.items()},
    )


# ------------------------------------------------------------------------------- parent


def child_env() -> dict[str, str]:
    path = os.pathsep.join([str(TOOLS), os.environ.get("PYTHONPATH", "")])
    return {
        **os.environ,
        "PYTHONPATH": path,
        "SUANLI_INTAKE_MEMORY_LIMIT": os.environ.get("SUANLI_INTAKE_MEMORY_LIMIT", INTAKE_MEMORY),
    }


def parse_project(run: Path) -> None:
    """`dbt parse` with the benchmark's profile, untimed: a user's project is parsed already."""
    env = {**child_env(), "SUANLI_WAREHOUSE": str(run / WAREHOUSE)}
    dbt = Path(sys.executable).parent / "suanli-dbt"  # as runs invoke it: partial parsing
    subprocess.run(
        [str(dbt), "--quiet", "parse", "--profiles-dir", "."],
        env=env, cwd=DBT_PROJECT_DIR, check=True,
    )  # fmt: skip


def run_child(*args: str) -> dict:
    env = child_env()
    command = [sys.executable, "-m", "scale_benchmark", "--child", *args]
    completed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    if completed.returncode:
        raise SystemExit(
            f"{' '.join(args[:1])} failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def generate(arguments: list[str], done: Path) -> float:
    """Run the generator unless its output is complete (a marker written last)."""
    if done.exists():
        return 0.0
    env = child_env()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scale_generator", *arguments],
        check=True,
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
    )
    done.write_text(" ".join(arguments) + "\n")
    return time.perf_counter() - started


def defect_check(run: Path, seed: int) -> tuple[bool, list[str]]:
    """A small month with every telemetry defect, through `suanli.cli check`'s intake: is it
    refused, and with which problems?"""
    landing = DATA / f"defective-seed{seed}"
    generate(
        ["telemetry", "--centres", "40", "--year", str(YEAR), "--months", "6", "--seed",
         str(seed), "--defects", "duplicates,resets,negative,outside", "--out", str(landing)],
        landing / ".complete",
    )  # fmt: skip
    from suanli.intake.check import check_files

    month = landing / "centre_energy" / str(YEAR) / f"centre_energy_{YEAR}-06.parquet"
    (verdict,) = check_files(source_spec("centre_energy"), [month])
    return verdict.accepted, list(verdict.lines)


def spark_seconds(run: Path) -> tuple[float | None, str]:
    """The record-level telemetry model on a local Spark session over the telemetry run's
    warehouse: the raw rows exported to Parquet, then dbt-spark (`python -m suanli.lake.spark`)."""
    venv = REPO_ROOT / ".cache" / "spark-venv"
    if not (venv / "bin" / "python").exists():
        return None, f"no Spark environment at {venv} (make spark builds it)"
    env = {
        **child_env(),
        "SUANLI_WAREHOUSE": str(run / WAREHOUSE),
        "SUANLI_LAKE": str(run / "lake"),
        "SUANLI_SPARK_DIR": str(run / "spark"),
    }
    command = [sys.executable, "-m", "suanli.lake.spark", "run", "--select",
               "+int_centre_energy_months", "--exclude", "source:*"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    seconds = time.perf_counter() - started
    if done.returncode:
        return None, "the Spark run failed: " + (done.stdout + done.stderr)[-1500:]
    return round(seconds, 1), "raw rows exported to Parquet, then int_centre_energy_months on Spark"


GOALS = {
    "telemetry_s": "≤ 60 s at 100 M rows, peak ≤ 6 GB",
    "pandas_s": "≥ 10 × the pipeline",
    "duckdb_hand_s": "pipeline ≤ 1.5 × this",
    "patents_10m_s": "≤ 60 s",
}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        if kind == "telemetry":
            child_telemetry(Path(rest[0]), Path(rest[1]))
        elif kind == "patents":
            child_patents(Path(rest[0]), Path(rest[1]))
        else:
            child_baseline(kind, Path(rest[0]), int(rest[1]))
        return
    parser = argparse.ArgumentParser(prog="scale_benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000, help="telemetry rows (about)")
    parser.add_argument("--patents", type=int, default=PATENT_ROWS, help="patent list rows")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sample", type=int, default=SAMPLE_ROWS, help="pandas sample rows")
    parser.add_argument("--keep", action="store_true", help="keep the run's warehouses")
    args = parser.parse_args()

    centres = max(1, round(args.rows / HOURS))
    landing = DATA / f"telemetry-{centres}c-{YEAR}-seed{args.seed}"
    patents = DATA / f"patents-{args.patents}-seed{args.seed}"
    print(f"data: {landing} ({centres:,} centres × {HOURS:,} hours, with gaps), {patents}")
    generated = generate(
        ["telemetry", "--centres", str(centres), "--year", str(YEAR), "--seed", str(args.seed),
         "--out", str(landing)],
        landing / ".complete",
    )  # fmt: skip
    generated_patents = generate(
        ["patents", "--rows", str(args.patents), "--seed", str(args.seed), "--out", str(patents)],
        patents / ".complete",
    )
    if generated or generated_patents:
        print(f"generated in {generated:.0f} s (telemetry), {generated_patents:.0f} s (patents)")
    run = DATA / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    parse_project(run)
    try:
        telemetry = run_child("telemetry", str(landing), str(run))
        spark_s, spark_reason = spark_seconds(run)  # over the telemetry run's warehouse
        hand = run_child("duckdb_hand", str(landing), "0")
        pandas = run_child("pandas", str(landing), str(args.sample))
        patent = run_child("patents", str(patents), str(run))
        accepted, problems = defect_check(run, args.seed)
    finally:
        if not args.keep:
            shutil.rmtree(run, ignore_errors=True)

    rows = telemetry["rows"]
    pandas_scaled = pandas["seconds"] * rows / pandas["rows"]
    peak = max(telemetry["peak_mb"], patent["peak_mb"])
    figures = {
        "rows": rows,
        "telemetry_s": round(telemetry["seconds"], 1),
        "pandas_s": round(pandas_scaled, 1),
        "duckdb_hand_s": round(hand["seconds"], 1),
        "patents_10m_s": round(patent["seconds"], 1),
        "spark_s": spark_s,
        "peak_rss_mb": round(peak),
    }
    dbt_s = telemetry["seconds"] - telemetry["intake_s"]
    mart = telemetry["mart"] or "no PUE mart in the manifest yet: intake only"
    table = [
        (f"telemetry, {rows:,} rows → PUE per centre, city, province", telemetry["seconds"],
         f"intake {telemetry['intake_s']:.1f} s + dbt {dbt_s:.1f} s ({mart}); "
         f"peak {telemetry['peak_mb']:.0f} MiB", "≤ 60 s at 100 M rows, ≤ 6 GB"),
        (f"pandas, straightforward (sample of {pandas['rows']:,} rows, scaled)", pandas_scaled,
         f"{pandas['seconds']:.1f} s × {rows / pandas['rows']:.2f}; "
         f"peak {pandas['peak_mb']:.0f} MiB; pandas ÷ pipeline "
         f"{pandas_scaled / telemetry['seconds']:.1f}", "ratio ≥ 10"),
        ("DuckDB, one hand-written query over the same files", hand["seconds"],
         f"peak {hand['peak_mb']:.0f} MiB; pipeline ÷ hand "
         f"{telemetry['seconds'] / hand['seconds']:.2f}", "ratio ≤ 1.5"),
        (f"patents, {patent['rows']:,} rows → intake + {patent['model']}", patent["seconds"],
         f"intake {patent['intake_s']:.1f} s; peak {patent['peak_mb']:.0f} MiB", "≤ 60 s"),
    ]  # fmt: skip
    print(f"cores: {os.cpu_count()} (shared with whatever else runs on the machine)")
    for label, seconds, detail, goal in table:
        print(f"{label:<64} {seconds:7.1f} s  {detail}  (goal {goal})")
    months = sorted(telemetry["month_s"])
    if months:
        print(
            f"intake per month file: {months[0]:.1f}–{months[-1]:.1f} s "
            f"(median {months[len(months) // 2]:.1f} s); the registry's "
            f"{telemetry['registry_s']:.1f} s, closing the warehouse {telemetry['close_s']:.1f} s"
        )
    print(
        f"spark: {spark_s} s ({spark_reason})"
        if spark_s is not None
        else f"spark: not run: {spark_reason}"
    )
    print(
        "defective month (duplicated hours, meter resets, negative readings, readings outside "
        f"the month): {'ACCEPTED, intake missed them' if accepted else 'refused'}, "
        f"{len(problems)} problem lines; first: {problems[0] if problems else '-'}"
    )
    compared = [
        abs(value - hand["province_pue"][code])
        for code, value in telemetry["province_pue"].items()
        if code in hand["province_pue"]
    ]
    if compared:
        print(
            f"province PUE, pipeline vs hand-written query: {len(compared)} provinces, "
            f"largest difference {max(compared):.4f}"
        )
    print(f"warehouse file {telemetry['warehouse_mb']:.0f} MiB; peak RSS of the pipeline's "
          f"processes (intake and dbt) {peak:.0f} MiB (goal ≤ 6,144)")  # fmt: skip
    print("BENCHMARK " + json.dumps(figures))


if __name__ == "__main__":
    main()

"""Command line for `make run`: materialise every asset for every year, then show the Top 10.

python -m suanli.cli materialize [--years 2024 2025]
python -m suanli.cli top10 [--system comprehensive_v4] [--year 2025]
python -m suanli.cli check SOURCE FILE [FILE …] [--year 2025]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from suanli.landing_watch import RANGE_END_TAG, RANGE_START_TAG
from suanli.partitions import year_partitions
from suanli.paths import published_marts_path
from suanli.reports import top_units

PID_TAG = "suanli/pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def fail_dead_runs(instance: DagsterInstance) -> list[str]:
    """Runs this command started whose process died (kill -9, power loss) still say STARTED:
    mark them failed, so the UI and the run queue stop counting them."""
    failed = []
    for run in instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED])):
        pid = run.tags.get(PID_TAG)
        if pid and pid.isdigit() and not _alive(int(pid)):
            instance.report_run_failed(run, f"process {pid} running it is gone (killed?)")
            failed.append(run.run_id)
    return failed


def materialize(years: list[str] | None = None) -> bool:
    """One run over the chosen year range on the persistent instance (visible in the UI)."""
    from suanli.definitions import defs

    instance = DagsterInstance.get()
    for run_id in fail_dead_runs(instance):
        print(f"marked run {run_id} failed: its process was gone")

    keys = year_partitions.get_partition_keys()
    chosen = [key for key in keys if not years or key in years]
    if not chosen:
        raise SystemExit(f"no such years: {years}; known years: {', '.join(keys)}")
    started = time.perf_counter()
    result = defs.resolve_job_def("materialize_all").execute_in_process(
        instance=instance,
        tags={RANGE_START_TAG: chosen[0], RANGE_END_TAG: chosen[-1], PID_TAG: str(os.getpid())},
        raise_on_error=False,
    )
    elapsed = time.perf_counter() - started
    status = "succeeded" if result.success else "FAILED"
    span = f"{chosen[0]}…{chosen[-1]}"
    print(f"materialize_all {span} {status} in {elapsed:.1f} s (run {result.run_id})")
    return result.success


def check(source: str, files: list[str], year: int | None) -> int:
    """Would these files be accepted? 0 yes, 1 no (one line per problem), 2 usage error."""
    import json

    from suanli.paths import DBT_PROJECT_DIR, warehouse_path
    from suanli.sources.catalog import source_specs
    from suanli.sources.check import UsageError, check_files

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    specs = {spec.name: spec for spec in source_specs(manifest)}
    if source not in specs:
        print(f"unknown source {source!r}; sources: {', '.join(sorted(specs))}", file=sys.stderr)
        return 2
    try:
        verdicts = check_files(
            specs[source], [Path(file) for file in files], year, warehouse=warehouse_path()
        )
    except UsageError as error:
        print(str(error), file=sys.stderr)
        return 2
    for verdict in verdicts:
        if verdict.accepted:
            print(
                f"{verdict.file}: would be accepted ({verdict.rows} rows; {verdict.compared_with})"
            )
        else:
            print(f"{verdict.file}: would be quarantined ({verdict.compared_with}):")
            for line in verdict.lines:
                print(f"  {line}")
    return 0 if all(verdict.accepted for verdict in verdicts) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suanli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("materialize", help="materialise every asset for the given years")
    run.add_argument("--years", nargs="*", help="years (default: all)")
    top = commands.add_parser("top10", help="print the composite Top 10")
    top.add_argument("--system", default="comprehensive_v4")
    top.add_argument("--year", type=int, help="default: the latest year")
    top.add_argument("--node", default="composite")
    checker = commands.add_parser(
        "check",
        help="check delivery files against their source's contract and audits, loading nothing",
    )
    checker.add_argument("source", help="the source, e.g. compute_centres or network_stats")
    checker.add_argument("files", nargs="+", metavar="FILE", help="files to check")
    checker.add_argument(
        "--year", type=int, help="the year a yearly file is for (default: read off its name)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse's own usage errors already exit 2
        return int(exit_.code or 0)

    if args.command == "materialize":
        return 0 if materialize(args.years) else 1
    if args.command == "check":
        return check(args.source, args.files, args.year)
    print(
        top_units(published_marts_path(), args.system, args.node, args.year, limit=10).to_string()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line for `make run`: materialise every asset for every year, then show the Top 10.

python -m suanli.cli materialize [--years 2024 2025]
python -m suanli.cli top10 [--system comprehensive_v4] [--year 2025]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suanli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("materialize", help="materialise every asset for the given years")
    run.add_argument("--years", nargs="*", help="years (default: all)")
    top = commands.add_parser("top10", help="print the composite Top 10")
    top.add_argument("--system", default="comprehensive_v4")
    top.add_argument("--year", type=int, help="default: the latest year")
    top.add_argument("--node", default="composite")
    args = parser.parse_args(argv)

    if args.command == "materialize":
        return 0 if materialize(args.years) else 1
    print(
        top_units(published_marts_path(), args.system, args.node, args.year, limit=10).to_string()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

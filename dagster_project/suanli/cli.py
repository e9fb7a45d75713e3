"""Command line for `make run`: materialise every asset for every year, then show the Top 10.

python -m suanli.cli materialize [--years 2024 2025]
python -m suanli.cli top10 [--system comprehensive_v4] [--year 2025]
"""

from __future__ import annotations

import argparse
import sys
import time

from dagster import DagsterInstance

from suanli.landing_watch import RANGE_END_TAG, RANGE_START_TAG
from suanli.partitions import year_partitions
from suanli.paths import published_marts_path
from suanli.reports import top_units


def materialize(years: list[str] | None = None) -> bool:
    """One run over the chosen year range on the persistent instance (visible in the UI)."""
    from suanli.definitions import defs

    keys = year_partitions.get_partition_keys()
    chosen = [key for key in keys if not years or key in years]
    if not chosen:
        raise SystemExit(f"no such years: {years}; known years: {', '.join(keys)}")
    started = time.perf_counter()
    result = defs.resolve_job_def("materialize_all").execute_in_process(
        instance=DagsterInstance.get(),
        tags={RANGE_START_TAG: chosen[0], RANGE_END_TAG: chosen[-1]},
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

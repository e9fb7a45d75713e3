"""`python -m scale_generator telemetry|patents …` (with PYTHONPATH=tools): see the package."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from scale_generator import patents, telemetry
from scale_generator.registry import registry, write_registry


def months(text: str) -> list[int]:
    """`1-12`, `6` or `1,3,5`."""
    out = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        out += range(int(first), int(last or first) + 1)
    if not out or min(out) < 1 or max(out) > 12:
        raise argparse.ArgumentTypeError(f"months 1-12, not {text}")
    return out


def kinds(text: str) -> list[str]:
    return [kind.strip() for kind in text.split(",") if kind.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scale_generator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    tele = commands.add_parser("telemetry", help="hourly registers + the matching registry")
    tele.add_argument("--centres", type=int, required=True)
    tele.add_argument("--year", type=int, default=2025)
    tele.add_argument("--months", type=months, default=list(range(1, 13)))
    tele.add_argument("--gap-rate", type=float, default=telemetry.GAP_RATE)
    tele.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    tele.add_argument("--defects", type=kinds, default=[], help=", ".join(telemetry.DEFECT_KINDS))
    pat = commands.add_parser("patents", help="a patent list of any size")
    pat.add_argument("--rows", type=int, required=True)
    pat.add_argument("--defects", type=kinds, default=[], help=", ".join(patents.DEFECT_KINDS))
    for command in (tele, pat):
        command.add_argument("--out", type=Path, required=True, help="the landing location")
        command.add_argument("--seed", type=int, default=telemetry.SEED)
        command.add_argument("--defect-count", type=int, default=3, help="of each kind")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "telemetry":
        path = write_registry(args.out, args.centres, args.year)
        print(f"{path}: {args.centres:,} centres")
        rows, injected = telemetry.write_year(
            registry(args.centres, args.year), args.year, args.out, args.seed, args.months,
            args.gap_rate, args.defects, args.defect_count, args.format, progress=print,
        )  # fmt: skip
        for defect in injected:
            print(f"defect {defect.kind}: {defect.centre_id} {defect.reading_hour:%Y-%m-%d %H:%M}")
    else:
        path = patents.write_patents(
            args.out, args.rows, args.seed, args.defects, args.defect_count
        )
        rows = args.rows
        print(f"{path}: {rows:,} rows")
    print(f"{rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

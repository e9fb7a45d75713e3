"""Command line for `make run`: materialise every asset for every year, then show the Top 10.

python -m suanli.cli materialize [--years 2021-2024 | --years 2021 2024] [--force] [--dry-run]
                                 [--verbose | --queue]
python -m suanli.cli top10 [--system comprehensive_v4] [--year 2025] [--node composite]
python -m suanli.cli check SOURCE FILE [FILE …] [--year 2025]
python -m suanli.cli explain --system comprehensive_v4 --unit 河北 --year 2025 [--node compute]
python -m suanli.cli questionnaire comprehensive_v4 --out DIR [--experts 5]
python -m suanli.cli serve [--idle-minutes 60]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from suanli.settings import index_systems_dir, published_marts_path


def check(source: str, files: list[str], year: int | None) -> int:
    """Would these files be accepted? 0 yes, 1 no (one line per problem), 2 usage error."""
    import json

    from suanli.intake.catalog import source_specs
    from suanli.intake.check import UsageError, check_files
    from suanli.settings import DBT_PROJECT_DIR, warehouse_path

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
            for line in verdict.lines:  # accepted, but worth telling (hours without a reading)
                print(f"  note: {line}")
        else:
            print(f"{verdict.file}: would be quarantined ({verdict.compared_with}):")
            for line in verdict.lines:
                print(f"  {line}")
    return 0 if all(verdict.accepted for verdict in verdicts) else 1


def explain(system: str, unit: str, year: int, node: str | None) -> int:
    """Print why a score is what it is, from the published marts; 2 if it cannot be found."""
    from suanli.publish.explain import ExplainError, render
    from suanli.publish.explain import explain as explain_score

    marts = published_marts_path()
    if not marts.is_file():
        print(f"no published marts at {marts}: run `make run` first", file=sys.stderr)
        return 2
    try:
        subject, tree = explain_score(marts, system, unit, year, node)
    except ExplainError as error:
        print(f"explain: {error}", file=sys.stderr)
        return 2
    print(render(subject, tree))
    return 0


def top10(system: str, node: str, year: int | None) -> int:
    """Print the Top 10 with what it shows; 2, naming the choices, if it cannot be shown."""
    from suanli.publish.top import TopError, render, top_units

    marts = published_marts_path()
    if not marts.is_file():
        print(f"no published marts at {marts}: run `make run` first", file=sys.stderr)
        return 2
    try:
        print(render(top_units(marts, system, node, year, limit=10)))
    except TopError as error:
        print(f"top10: {error}", file=sys.stderr)
        return 2
    return 0


def questionnaire(system: str, out: Path, experts: int) -> int:
    """Write one questionnaire per expert for an index system; 2 if there is no such system."""
    from suanli.index.panel.workbook import write_questionnaires
    from suanli.index.systems import load_systems

    systems = {
        definition.system_code: definition for definition in load_systems(index_systems_dir())
    }
    if system not in systems:
        print(
            f"unknown index system {system!r}; systems: {', '.join(sorted(systems))}",
            file=sys.stderr,
        )
        return 2
    for path in write_questionnaires(systems[system], out, experts):
        print(path)
    return 0


def serve(idle_minutes: float) -> int:
    """A run server for this checkout, in the foreground: `materialize` forks from it."""
    from suanli.zygote import run_server

    return run_server(idle_minutes * 60)


def _positive_minutes(text: str) -> float:
    """argparse type: a number of minutes above 0."""
    try:
        minutes = float(text)
    except ValueError:
        minutes = 0.0
    if not minutes > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes above 0")
    return minutes


def _positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The commands and their options, each with its help text."""
    parser = argparse.ArgumentParser(prog="suanli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "materialize",
        help="materialise every asset for the given years: progress on the terminal, the full "
        "log in a file, a summary at the end",
    )
    run.add_argument(
        "--years",
        nargs="+",
        metavar="YEAR",
        help="years and ranges: `2025`, `2021-2024` (a range, both ends included), `2021 2024` "
        "(a list: those two years only, each consecutive block one run); default: every year",
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="print Dagster's and dbt's whole log instead of the progress view and log file",
    )
    run.add_argument(
        "--force", action="store_true", help="run even when nothing has changed since the last run"
    )
    run.add_argument(
        "--dry-run", action="store_true", help="say whether a run would start, and why; run nothing"
    )
    run.add_argument(
        "--queue",
        action="store_true",
        help="submit the run to the instance's run queue (a production instance: "
        "deploy/dagster.yaml) for the daemon to start within its limits, instead of running it "
        "here",
    )
    top = commands.add_parser(
        "top10", help="print the Top 10 of an index system's node in a year (published marts)"
    )
    top.add_argument(
        "--system",
        default="comprehensive_v4",
        help="index system code (default: comprehensive_v4; city_compute ranks cities)",
    )
    top.add_argument("--year", type=int, help="the year (default: the system's latest)")
    top.add_argument(
        "--node",
        default="composite",
        help="node or indicator code, e.g. compute or pue (default: composite)",
    )
    checker = commands.add_parser(
        "check",
        help="check delivery files against their source's contract and audits, loading nothing",
    )
    checker.add_argument("source", help="the source, e.g. compute_centres or network_stats")
    checker.add_argument("files", nargs="+", metavar="FILE", help="files to check")
    checker.add_argument(
        "--year", type=int, help="the year a yearly file is for (default: read off its name)"
    )
    why = commands.add_parser(
        "explain",
        help="a unit's score as the weighted sum of its children, down to the delivery rows",
    )
    why.add_argument("--system", required=True, help="index system, e.g. comprehensive_v4")
    why.add_argument("--unit", required=True, help="GB/T 2260 code or name, e.g. 河北 or 130000")
    why.add_argument("--year", type=int, required=True, help="the year of the score, e.g. 2025")
    why.add_argument("--node", help="start below the composite, e.g. compute")
    form = commands.add_parser(
        "questionnaire",
        help="write one Excel questionnaire per expert asking for an index system's pairwise "
        "judgements (Saaty's 1-9 scale)",
    )
    form.add_argument("system", metavar="SYSTEM", help="index system code, e.g. comprehensive_v4")
    form.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write the questionnaires into",
    )
    form.add_argument(
        "--experts",
        type=_positive,
        default=1,
        metavar="N",
        help="how many experts: files <system>__E01.xlsx … (default: 1)",
    )
    server = commands.add_parser(
        "serve",
        help="keep an interpreter with the runs' imports done for this checkout: each "
        "`materialize` forks from it, seconds sooner at work (until Ctrl-C)",
    )
    server.add_argument(
        "--idle-minutes",
        type=_positive_minutes,
        default=60,
        metavar="M",
        help="stop after M minutes without a run (default: 60)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse's own usage errors already exit 2
        return int(exit_.code or 0)

    if args.command == "materialize":
        from suanli.terminal.materialize import run_blocks  # Dagster and the pipeline

        return run_blocks(args.years, args.force, args.dry_run, args.verbose, args.queue)
    if args.command == "check":
        return check(args.source, args.files, args.year)
    if args.command == "explain":
        return explain(args.system, args.unit, args.year, args.node)
    if args.command == "questionnaire":
        return questionnaire(args.system, args.out, args.experts)
    if args.command == "serve":
        return serve(args.idle_minutes)
    return top10(args.system, args.node, args.year)


if __name__ == "__main__":
    from suanli.ending import run_then_exit
    from suanli.zygote import hand_over

    if sys.argv[1:2] == ["materialize"]:  # the command that imports Dagster, dbt, GX, …
        # in the fork server `SUANLI_CLI_ZYGOTE` names (tests), else `make serve`'s, if one answers
        hand_over("cli")
    run_then_exit(lambda: sys.exit(main()))  # without the interpreter's 2 s of finalisation

"""Command line for `make run`: materialise every asset for every year, then show the Top 10.

python -m suanli.cli materialize [--years 2021-2024 | --years 2021 2024] [--force] [--dry-run]
                                 [--verbose | --queue]
python -m suanli.cli top10 [--system comprehensive_v4] [--year 2025] [--node composite]
python -m suanli.cli check SOURCE FILE [FILE …] [--year 2025]
python -m suanli.cli explain --system comprehensive_v4 --unit 河北 --year 2025 [--node compute]
python -m suanli.cli questionnaire comprehensive_v4 --out DIR [--experts 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

from dagster import (
    BetaWarning,
    DagsterInstance,
    DagsterRunStatus,
    ExecuteInProcessResult,
    RunsFilter,
)

from suanli.dagster_storage import reuse_event_log_engines
from suanli.index.partitions import (
    YearsError,
    consecutive_blocks,
    parse_years,
    run_years,
    year_partitions,
)
from suanli.intake.landing import LandingResource
from suanli.intake.sensor import RANGE_END_TAG, RANGE_START_TAG
from suanli.publish.exports import WORKBOOK_NAME
from suanli.publish.top import TopError, render, top_units
from suanli.report.build import PAGE
from suanli.settings import (
    docs_url,
    export_dir,
    gx_docs_path,
    index_systems_dir,
    log_dir,
    published_marts_path,
    report_dir,
    warehouse_path,
)
from suanli.terminal.capture import new_log_path, output_to, stderr_to
from suanli.terminal.news import news_logger, step_parts
from suanli.terminal.progress import RunView, Ticker, step_label
from suanli.terminal.summary import Output, summary_lines
from suanli.transform.plan import (
    FORCE_TAG,
    INPUTS_TAG,
    Outputs,
    inputs_fingerprint,
    up_to_date_reason,
)

# The CLI's own instance (run records, skipped runs) as the runs' (suanli.definitions).
reuse_event_log_engines()

PID_TAG = "suanli/pid"
LATEST_LOG = "materialize_latest.log"  # a link to the newest run's log
JOB_NAME = "materialize_all"


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


def last_run_with(
    instance: DagsterInstance, fingerprint: str | None
) -> tuple[str | None, list[str]]:
    """The latest successful run that read inputs of this fingerprint, and the years it built."""
    if fingerprint is None:
        return None, []
    records = instance.get_run_records(
        filters=RunsFilter(
            job_name=JOB_NAME, statuses=[DagsterRunStatus.SUCCESS], tags={INPUTS_TAG: fingerprint}
        ),
        limit=1,
    )
    if not records:
        return None, []
    run = records[0].dagster_run
    keys = year_partitions.get_partition_keys()
    return run.run_id, [str(year) for year in run_years(run.tags, keys)]


def outputs() -> Outputs:
    return Outputs(
        warehouse=warehouse_path(),
        published=published_marts_path(),
        workbook=export_dir() / WORKBOOK_NAME,
        report=report_dir() / PAGE,
    )


def launch_command(tags: dict[str, str], run_id: str) -> list[str]:
    """`dagster job launch` of the job with `tags`: the run is submitted to the instance, whose
    run coordinator (deploy/dagster.yaml: the queue) starts it within its limits."""
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [dagster, "job", "launch", "-m", "suanli.definitions", "-j", JOB_NAME]
    return [*command, "--tags", json.dumps(tags), "--run-id", run_id]


def submit(tags: dict[str, str], span: str) -> bool:
    """The run submitted to the instance's run queue instead of executed here."""
    import uuid

    run_id = str(uuid.uuid4())
    launched = subprocess.run(launch_command(tags, run_id), capture_output=True, text=True)
    if launched.returncode != 0:
        print(f"{JOB_NAME} {span}: dagster job launch failed:\n{launched.stderr[-3000:]}")
        return False
    print(f"{JOB_NAME} {span} submitted to the run queue (run {run_id}): the daemon starts it")
    return True


def materialize(
    years: list[str] | None = None,
    force: bool = False,
    dry_run: bool = False,
    verbose: bool = False,
    queue: bool = False,
) -> bool:
    """One run over a range of consecutive years on the persistent instance (visible in the UI),
    unless nothing it reads has changed since a run that covered those years
    (`suanli.transform.plan`). `verbose`: Dagster's and dbt's whole log on the terminal instead
    of the progress view and the log file. `queue`: submit the run to the instance's run queue
    (`dagster job launch`), for the daemon to start, rather than execute it here."""
    started = time.perf_counter()
    instance = DagsterInstance.get()
    for run_id in fail_dead_runs(instance):
        print(f"marked run {run_id} failed: its process was gone")

    chosen = years or year_partitions.get_partition_keys()
    span = f"{chosen[0]}…{chosen[-1]}"
    landing = LandingResource.from_env()
    fingerprint = inputs_fingerprint(
        [landing.directory_for(None), *(landing.directory_for(s) for s in landing.locations)],
        index_systems_dir(),
    )
    reason = "asked to (--force)"
    if not force:
        last_run_id, last_years = last_run_with(instance, fingerprint)
        latest = instance.get_run_records(limit=1)
        skip, reason = up_to_date_reason(
            fingerprint=fingerprint,
            last_run_id=last_run_id,
            last_run_years=last_years,
            latest_run_id=latest[0].dagster_run.run_id if latest else None,
            years=chosen,
            outputs=outputs(),
        )
        if skip:
            print(f"{JOB_NAME} {span} up to date: {reason} (--force runs anyway)")
            return True
    print(f"{JOB_NAME} {span}: {'would run' if dry_run else 'running'}, {reason}")
    if dry_run:
        return True

    tags = {RANGE_START_TAG: chosen[0], RANGE_END_TAG: chosen[-1]}
    if force:
        tags[FORCE_TAG] = "true"
    if fingerprint is not None:
        tags[INPUTS_TAG] = fingerprint
    if queue:
        return submit(tags, span)
    tags[PID_TAG] = str(os.getpid())
    if verbose:
        from suanli.definitions import defs  # Dagster's definitions: only when there is a run

        result = defs.resolve_job_def(JOB_NAME).execute_in_process(
            instance=instance, tags=tags, raise_on_error=False
        )
        view, log = None, None
    else:
        result, view, log = _run_quietly(instance, tags)
    elapsed = time.perf_counter() - started
    status = "succeeded" if result.success else "FAILED"
    print(f"{JOB_NAME} {span} {status} in {elapsed:.1f} s (run {result.run_id})")
    if view is not None and log is not None:
        published = "published/marts" in {step_label(step) for step in view.succeeded}
        for line in summary_lines(view, result_outputs(published), log, Path.cwd(), docs_url()):
            print(line)
    return result.success


def _run_quietly(
    instance: DagsterInstance, tags: dict[str, str]
) -> tuple[ExecuteInProcessResult, RunView, Path]:
    """The run with Dagster's full log, dbt's lines and every warning in a log file, and on
    the terminal a line per step and a live status line (when it is a terminal)."""
    from dagster import colored_console_logger

    log = new_log_path(log_dir() / LATEST_LOG)
    with output_to(log) as terminal:
        warnings.simplefilter("ignore", category=BetaWarning)
        from suanli.definitions import defs  # Dagster's definitions: only when there is a run

        job = defs.resolve_job_def(JOB_NAME)
        view = RunView(
            out=terminal,
            total_steps=len(job.graph.nodes),
            parts=step_parts([*defs.assets, *defs.asset_checks]),
            live=terminal.isatty(),
        )
        loggers = {"console": colored_console_logger, "progress": news_logger(view.note)}
        with Ticker(view):
            result = job.with_logger_defs(loggers).execute_in_process(
                instance=instance,
                tags=tags,
                raise_on_error=False,
                run_config={
                    "loggers": {"console": {"config": {"log_level": "DEBUG"}}, "progress": {}}
                },
            )
        view.close()
    return result, view, log


def result_outputs(published: bool) -> list[Output]:
    """Where a run's results are (the summary's list)."""
    return [
        Output("warehouse", warehouse_path()),
        Output(
            "BI file",
            published_marts_path(),
            "(published by this run)" if published else "(not published by this run)",
        ),
        Output("report", report_dir() / PAGE),
        Output("workbook", export_dir() / WORKBOOK_NAME),
        Output("Data Docs", gx_docs_path() / "index.html"),
    ]


def run_blocks(
    tokens: list[str] | None, force: bool, dry_run: bool, verbose: bool, queue: bool = False
) -> int:
    """`materialize` for each block of consecutive years `--years` names (every year when it
    names none): 0 when all succeed, 1 when one fails, 2 when a year is unknown."""
    known = year_partitions.get_partition_keys()
    try:
        blocks = consecutive_blocks(parse_years(tokens, known), known) if tokens else [known]
    except YearsError as error:
        print(f"materialize: --years: {error}", file=sys.stderr)
        return 2
    results = [materialize(block, force, dry_run, verbose, queue) for block in blocks]
    latest = log_dir() / LATEST_LOG
    if not (verbose or queue) and latest.exists():
        stderr_to(latest)
    return 0 if all(results) else 1


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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse's own usage errors already exit 2
        return int(exit_.code or 0)

    if args.command == "materialize":
        return run_blocks(args.years, args.force, args.dry_run, args.verbose, args.queue)
    if args.command == "check":
        return check(args.source, args.files, args.year)
    if args.command == "explain":
        return explain(args.system, args.unit, args.year, args.node)
    if args.command == "questionnaire":
        return questionnaire(args.system, args.out, args.experts)
    return top10(args.system, args.node, args.year)


if __name__ == "__main__":
    sys.exit(main())

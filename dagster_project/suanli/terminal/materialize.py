"""`python -m suanli.cli materialize`: runs on the persistent instance, a line per step and a
summary on the terminal, the whole log in a file; a run skipped when nothing it reads has
changed. Imported only by that command: the others (check, top10, explain, questionnaire) start
without Dagster and the pipeline's modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSelection,
    BetaWarning,
    DagsterInstance,
    DagsterRunStatus,
    ExecuteInProcessResult,
    JobDefinition,
    RunsFilter,
)
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

from suanli.dagster_storage import tune_event_log
from suanli.index.partitions import (
    YearsError,
    consecutive_blocks,
    parse_years,
    run_years,
    year_partitions,
)
from suanli.intake.assets import DELIVERIES_KEY
from suanli.intake.landing import LandingResource
from suanli.intake.sensor import RANGE_END_TAG, RANGE_START_TAG
from suanli.publish.exports import WORKBOOK_NAME
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
    BASE_TAG,
    FORCE_TAG,
    INPUTS_TAG,
    SOURCES_TAG,
    Outputs,
    RebuildPlan,
    changed_sources,
    inputs_fingerprint,
    landed_files,
    own_deliveries_readers,
    project_digest,
    rebuild_plan,
    up_to_date_reason,
)
from suanli.zygote import fork_server

# The CLI's own instance (run records, skipped runs) as the runs' (suanli.definitions).
tune_event_log()

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


def plan_rebuild(landing: LandingResource) -> tuple[RebuildPlan | None, str]:
    """Whether the run may rebuild only what reads the sources whose deliveries changed (on the
    work file's latest build, audited, of this project), and why or why not."""
    import duckdb

    from suanli.intake.catalog import source_specs
    from suanli.transform.assets import load_manifest
    from suanli.transform.builds import current_deliveries, latest_marts_build

    specs = source_specs(load_manifest())
    directories = {spec.name: landing.directory_for(spec.name) for spec in specs}
    if None in directories.values():
        return None, "a landing location is a URL: its files are only known by fetching them"
    if not warehouse_path().exists():
        return None, "no work file yet"
    try:
        with duckdb.connect(str(warehouse_path()), read_only=True) as connection:
            latest = latest_marts_build(connection)
            in_force = current_deliveries(connection) if latest else []
    except duckdb.Error as error:  # another run holds it: a whole run waits for it
        return None, f"the work file cannot be read now ({error})"
    sources: list[str] = []
    if latest is not None:  # the landing files are hashed only when there is a build to compare
        landed = landed_files(directories, {spec.name: spec.file_pattern for spec in specs})
        sources = changed_sources(latest.deliveries, in_force, landed or {})
    return rebuild_plan(latest, project_digest(index_systems_dir()), sources)


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
    servers: contextlib.ExitStack | None = None,
) -> bool:
    """One run over a range of consecutive years on the persistent instance (visible in the UI),
    unless nothing it reads has changed since a run that covered those years
    (`suanli.transform.plan`). `verbose`: Dagster's and dbt's whole log on the terminal instead
    of the progress view and the log file. `queue`: submit the run to the instance's run queue
    (`dagster job launch`), for the daemon to start, rather than execute it here. `servers`:
    where the dbt fork server a run starts stays open (default: for this run alone)."""
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
    # (queued runs are whole: the queue launches the job as defined)
    plan, why = (None, "") if force or queue else plan_rebuild(landing)
    print(f"{JOB_NAME} {span}: {'would run' if dry_run else 'running'}, {reason}")
    if plan is not None or why:
        print(f"  {why}" if plan else f"  every asset: {why}")
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
    if plan is not None:
        tags[BASE_TAG] = plan.base
        tags[SOURCES_TAG] = ",".join(plan.sources)
    # dbt imports itself in a process of its own while the run loads and takes in deliveries:
    # the dbt step forks it (suanli.zygote), 2–3 s sooner done. It lives on in
    # `servers` (run_blocks': the later blocks' runs fork the same), else for this run alone;
    # under `python -m suanli.cli serve`, the run server's, imported long before, is used.
    with contextlib.ExitStack() as own:
        (own if servers is None else servers).enter_context(fork_server("dbt", discover=True))
        if verbose:
            result = run_job(plan).execute_in_process(
                instance=instance, tags=tags, raise_on_error=False
            )
            view, log = None, None
        else:
            result, view, log = _run_quietly(instance, tags, plan)
    elapsed = time.perf_counter() - started
    status = "succeeded" if result.success else "FAILED"
    print(f"{JOB_NAME} {span} {status} in {elapsed:.1f} s (run {result.run_id})")
    if view is not None and log is not None:
        published = "published/marts" in {step_label(step) for step in view.succeeded}
        for line in summary_lines(view, result_outputs(published), log, Path.cwd(), docs_url()):
            print(line)
    return result.success


def run_job(plan: RebuildPlan | None) -> JobDefinition:
    """The job to run: every asset, or with a plan the changed sources' raw assets and all
    that is downstream of them (with their checks)."""
    from suanli.definitions import defs  # Dagster's definitions: only when there is a run

    job = defs.resolve_job_def(JOB_NAME)
    if plan is None:
        return job
    from suanli.transform.assets import dbt_project_manifest

    graph = defs.resolve_asset_graph()
    # The raw steps also write the deliveries log, which many models read (provenance, which
    # delivery is in force): what reads it is rebuilt too, but for the staging models of other
    # sources, which read only their own source's rows of it (each the same as before).
    unchanged = {
        AssetKey(list(model))
        for model, source in own_deliveries_readers(dbt_project_manifest()).items()
        if source not in plan.sources
    }
    readers = graph.get(DELIVERIES_KEY).child_keys - unchanged
    raw = [AssetKey(["raw", source]) for source in plan.sources]
    # A step that makes several assets makes them all (the index definitions, which the
    # expert judgements feed); the exposures downstream are not executable: descriptions of
    # what reads the marts.
    downstream = AssetSelection.assets(*raw, *readers).downstream().required_multi_asset_neighbors()
    rebuilt = downstream.resolve(graph) & graph.executable_asset_keys
    return job.get_subset(
        asset_selection=rebuilt, asset_check_selection=checks_reading(graph, rebuilt)
    )


def checks_reading(graph: BaseAssetGraph, assets: set[AssetKey]) -> set[AssetCheckKey]:
    """The checks on `assets`, on the tables they read that no step materialises (dbt's tests
    of the deliveries log, which the raw steps write), and on other assets that also read one
    of them (a dbt relationships test, a singular test): rebuilt, they are audited again."""
    logs = {
        parent
        for key in assets
        for parent in graph.get(key).parent_keys
        if not graph.get(parent).is_executable
    }
    return {
        key
        for key in graph.asset_check_keys
        if key.asset_key in assets | logs
        or any(dep.asset_key in assets for dep in graph.get_check_spec(key).additional_deps)
    }


def _run_quietly(
    instance: DagsterInstance, tags: dict[str, str], plan: RebuildPlan | None
) -> tuple[ExecuteInProcessResult, RunView, Path]:
    """The run with Dagster's full log, dbt's lines and every warning in a log file, and on
    the terminal a line per step and a live status line (when it is a terminal)."""
    from dagster import colored_console_logger

    log = new_log_path(log_dir() / LATEST_LOG)
    with output_to(log) as terminal:
        warnings.simplefilter("ignore", category=BetaWarning)
        from suanli.definitions import defs

        job = run_job(plan)
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
    with contextlib.ExitStack() as servers:  # one dbt fork server for every block that runs
        results = [materialize(block, force, dry_run, verbose, queue, servers) for block in blocks]
    latest = log_dir() / LATEST_LOG
    if not (verbose or queue) and latest.exists():
        stderr_to(latest)
    return 0 if all(results) else 1

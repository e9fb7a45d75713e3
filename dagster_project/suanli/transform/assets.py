"""The dbt project as assets, built by one `dbt build` per run.

Seeds, staging views, index weights, the yearly indicator values, scores and ranks (tagged
`by_year`, rebuilt only for the run's years) and the candidate marts all come from one dbt
invocation: dbt's own start-up is paid once, and dbt's tests of severity error stop what is
downstream of a failure. Before dbt touches a mart the run records that it is building them,
and from which deliveries (`suanli.transform.builds`); the GX suites then audit the result, and
`published/marts` copies the marts into the file BI reads only if every blocking check of this
build passed (`suanli.quality.gate`). The run holds the warehouse from its first step to its
last, so two runs never write at once.

Part of it: a run planned to rebuild only what reads the sources whose deliveries changed
(`materialize` plans it: `suanli.transform.plan.rebuild_plan`) selects those assets alone and
names them and the audited build it was planned on in its tags. Holding the work file, the
step makes sure the plan still holds: the latest build is audited, of the same project, and the
only sources whose deliveries changed since it are the planned ones (it may be another partial
run's build, when two runs took turns). It records that build as its base; a plan that no longer
holds fails the step, naming why.

Nothing to rebuild: when the deliveries in force and the project are those of the latest
build, that build covered the run's years and publication found it audited, the step builds
nothing (`materialize --force` rebuilds anyway).

Which years: the run's partition range (the raw assets are year-partitioned; `python -m
suanli.cli materialize --years 2025` and the UI's partition picker set it), every year when
the run has none. dbt's unit tests are not part of a run: they test the SQL on fixed inputs,
not the data, and run in the test lanes (`make check`).
"""

import importlib.metadata
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, cached_property
from typing import Any

from dagster import AssetExecutionContext, Failure, Output
from dagster_dbt import (
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging.version import Version

from suanli.index.partitions import run_years, year_partitions
from suanli.report.builder import preload_drawing
from suanli.settings import DBT_PROJECT_DIR, index_systems_dir
from suanli.terminal.news import progress_message
from suanli.transform.build_folders import prune_build_folders
from suanli.transform.builds import current_deliveries, latest_marts_build, record_marts_build
from suanli.transform.dbt_command import YEARS_ENV
from suanli.transform.plan import (
    BASE_TAG,
    FORCE_TAG,
    SOURCES_TAG,
    changed_sources,
    dbt_inputs,
    project_digest,
    stale_plan,
)
from suanli.transform.row_counts import ROW_COUNTS_ENV, Counts, count_metadata, logged_counts
from suanli.transform.translator import SuanliDbtTranslator
from suanli.warehouse.resource import WarehouseResource

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# Neither build writes dbt's JSON artifacts (manifest.json twice, run_results.json) into its
# run's target folder: 1–1.5 s of every build, and nothing reads them. Each node's result is
# in the run's Dagster events and its dbt.log; the manifest the code reads is `make manifest`'s.
NO_ARTIFACTS = "--no-write-json"
# Tests run only once every model they read is built or upstream of this step.
BUILD_ARGS = [
    "build", NO_ARTIFACTS, "--indirect-selection", "buildable",
    "--exclude-resource-type", "unit_test",
]  # fmt: skip
# A partial rebuild on an audited build: every model a test reads is in the work file, and a
# test that reads a rebuilt model runs again wherever it is attached (its check is selected).
PARTIAL_BUILD_ARGS = [
    "build", NO_ARTIFACTS, "--indirect-selection", "eager",
    "--exclude-resource-type", "unit_test",
]  # fmt: skip


# dbt's tests of sources (the deliveries log) are checks like any other, not observations
# that dagster-dbt warns about on every run.
translator = SuanliDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)


class SuanliDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two costs it pays before each invocation (~8 s a run):
    - the dbt adapter it opens in this process, which only serves `fetch_row_counts` and
      `fetch_column_metadata` (this project calls neither: dbt logs the row counts itself,
      `suanli.transform.row_counts`);
    - `dbt --version` in a subprocess: the executable is this environment's dbt, whose version
      is the installed dbt-core's."""

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    @cached_property
    def _cli_version(self) -> Version:
        return Version(importlib.metadata.version("dbt-core"))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="dbt_models",
)
def dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    known = year_partitions.get_partition_keys()
    years = run_years(context.run.tags, known)
    # No `years` builds every year; dbt reads them from the environment (dbt_command).
    selected = [] if len(years) == len(known) else years
    # (a run's `assets_def` is the selected subset: compare with the whole definition)
    whole = context.selected_asset_keys >= set(dbt_models.keys)
    with warehouse.lock(f"dbt build {years[0]}…{years[-1]}"):
        with warehouse.connect(what="dbt build") as connection:
            project = project_digest(index_systems_dir())
            in_force = current_deliveries(connection)
            inputs = dbt_inputs(in_force, index_systems_dir(), project)
            latest = latest_marts_build(connection)
            base = None if whole else context.run.tags.get(BASE_TAG)
            if (
                (whole or base)  # a partial rebuild whose sources' deliveries stayed in force
                and context.run.tags.get(FORCE_TAG) != "true"
                and latest is not None
                and latest.covers(inputs, years)
            ):
                # Nothing dbt reads has changed since an audited build: no output, so the
                # audits and publication after it are skipped too, and that build stays the
                # one whose checks and marts are in force.
                context.log.info(
                    f"dbt's inputs (the deliveries in force, the project) are those of the "
                    f"build of run {latest.run_id}, audited at "
                    f"{latest.audited_at:%Y-%m-%d %H:%M:%S} UTC: nothing to rebuild"
                )
                return
            if base:
                planned = context.run.tags.get(SOURCES_TAG, "").split(",")
                changed = changed_sources(latest.deliveries, in_force, {}) if latest else []
                if stale := stale_plan(latest, project, changed, planned):
                    raise Failure(
                        f"this run was planned to rebuild what reads {', '.join(planned)} on the "
                        f"audited build of run {base}, but {stale}. Nothing was built: run again "
                        "(python -m suanli.cli materialize) to plan anew."
                    )
                # Another partial run may have come between (runs take turns): this one then
                # extends that run's build, which was audited, of the same project.
                assert latest is not None  # (stale_plan says so when there is none)
                base = latest.run_id
            if any(key.path[0] == "marts" for key in context.selected_asset_keys):
                build = record_marts_build(
                    connection, context.run_id, inputs, years, project=project, base=base
                )
                context.log.info(
                    f"building the marts from {len(build.deliveries)} current deliveries"
                    + (f", on the audited build of run {base}" if base else "")
                )
        with build_environment(selected):
            arguments = PARTIAL_BUILD_ARGS if base else BUILD_ARGS
            invocation = dbt.cli(arguments, context=context, raise_on_error=False)
        if any(key.path[0] == "report" for key in context.job_def.asset_layer.selected_asset_keys):
            preload_drawing()  # while dbt builds, for the report's step after it
        yield from logging_progress(context, with_row_counts(invocation, years))
        try:
            prune_build_folders(invocation.target_path.parent, context.op_execution_context.op.name)
        except OSError as error:  # a build's leftovers, not the build: it goes on
            context.log.warning(f"dbt's earlier build folders were not all removed: {error}")
    if not invocation.is_successful():
        raise invocation.get_error() or RuntimeError("dbt build failed")


@contextmanager
def build_environment(years: list[int]) -> Iterator[None]:
    """For the dbt process started inside: `SUANLI_DBT_YEARS` set to `years` (none: every
    year), and the row counts asked for (`suanli.transform.row_counts`); the environment as it
    was before afterwards."""
    before = {name: os.environ.pop(name, None) for name in (YEARS_ENV, ROW_COUNTS_ENV)}
    if years:
        os.environ[YEARS_ENV] = json.dumps(years)
    os.environ[ROW_COUNTS_ENV] = "1"
    try:
        yield
    finally:
        for name, value in before.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def logging_progress(context: AssetExecutionContext, events: Iterator[Any]) -> Iterator[Any]:
    """`events`, with a progress line in the log at most every second (the terminal's bar)."""
    expected = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
    said = time.monotonic()
    for done, event in enumerate(events, start=1):
        if time.monotonic() - said >= 1:
            context.log.debug(progress_message(min(done, expected), expected))
            said = time.monotonic()
        yield event


def with_row_counts(invocation: DbtCliInvocation, years: list[int]) -> Iterator[Any]:
    """The build's Dagster events as dbt reports each node, each model's and seed's with the
    row counts its post-hook logged just before (`suanli.transform.row_counts`): what
    `invocation.stream()` yields, with the counts."""
    counts: dict[str, Counts] = {}
    for event in invocation.stream_raw_events():
        if logged := logged_counts(event.raw_event):
            counts[logged[0]] = logged[1]
            continue
        node = event.raw_event["data"].get("node_info", {}).get("unique_id")
        for dagster_event in event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            if isinstance(dagster_event, Output) and node in counts:
                found = count_metadata(counts.pop(node), years)
                dagster_event = dagster_event.with_metadata({**dagster_event.metadata, **found})
            yield dagster_event


def load_manifest() -> dict[str, Any]:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


@cache
def dbt_project_manifest() -> dict[str, Any]:
    """The manifest the assets were defined from, read once per process."""
    return load_manifest()

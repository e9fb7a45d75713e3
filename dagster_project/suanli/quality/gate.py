"""The audit gate of publication: may the work file's marts become what BI tools read?

Only if the run that built them (`audit.marts_build`, see `suanli.transform.builds`) audited them:
every blocking check on a mart or on any asset upstream of the marts (GX suites and dbt tests of
severity error alike) must have its latest evaluation in the Dagster instance come from that build
run, and that evaluation must not have failed with ERROR severity (what Dagster itself treats as
blocking; a WARN failure only warns).

Why these two sources: the work file knows which run last wrote the marts, and it says so
before writing them, so a build that died half-way is on record too; Dagster's event log knows
what every run's checks found. The step that publishes may be a run of its own (`dagster asset
materialize --select published/marts`), which audits nothing itself.

Why the latest evaluation, not merely one in the build run: a later run that re-audited
upstream tables (failing, say, on a bad delivery) has left the work file in another state than
the one the marts were audited in; the gate then waits for a run that rebuilds and audits the
whole chain again instead of publishing beside a red check. A check with no evaluation in the
build run (a step that was skipped, failed, or not selected) is "missing": the marts were not
audited by it. "Latest" is by evaluation time (`read_audits`), which with runs holding the work
file one at a time is also the order in which runs wrote it.

A build that extends an audited build (`MartsBuild.base`: a run that rebuilt only what reads the
changed sources) re-audits what it rebuilt; for the rest, the base build's audit stands (and
its base's, down the chain: `audited_base_runs`). A check whose latest evaluation came from one
of those runs counts if it passed and nothing it reads (its asset, and for a dbt test every
model it refers to) has been materialised since it was evaluated. A build with no base (the
marts rebuilt alone, say) gets nothing from earlier runs: every check must be its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    RunsFilter,
)
from dagster._core.storage.asset_check_execution_record import (
    COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES,
)

from suanli.transform.builds import MartsBuild

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph


UNFINISHED = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


@dataclass(frozen=True)
class Evaluation:
    """A check's latest evaluation: in which run, and whether it lets publication through."""

    run_id: str
    passed: bool
    at: float = 0.0  # when (POSIX time)


@dataclass(frozen=True)
class Materialised:
    """The latest materialisation of what a check reads: which asset, in which run, when."""

    asset: AssetKey
    run_id: str
    at: float


@dataclass(frozen=True)
class Base:
    """What a build extending audited builds rests on: their runs (the build's base first) and,
    for each check last evaluated by one of them, the latest materialisation of what it reads."""

    runs: tuple[str, ...] = ()
    materialised: Mapping[AssetCheckKey, Materialised] = field(default_factory=dict)


@dataclass(frozen=True)
class Audits:
    """What the instance knows of the gating checks: each one's latest evaluation, and which of
    them the build run evaluated."""

    latest: Mapping[AssetCheckKey, Evaluation]
    by_build: frozenset[AssetCheckKey]


@dataclass(frozen=True)
class Unmet:
    check: AssetCheckKey
    failed: bool  # False: missing (no latest evaluation by the build run)
    reason: str

    def describe(self) -> str:
        return f"{self.check.asset_key.to_user_string()}: {self.check.name} — {self.reason}"


# Check metadata: this check gates publication although it does not stop the next step in
# Dagster (a GX suite on a table dbt builds in the same step as the marts reading it).
GATES_PUBLICATION = "suanli/gates_publication"


def gates_publication(spec: AssetCheckSpec) -> bool:
    return spec.blocking or bool(spec.metadata.get(GATES_PUBLICATION))


def gating_checks(graph: BaseAssetGraph, published: AssetKey) -> list[AssetCheckKey]:
    """Every blocking check on an asset upstream of `published` (the marts and all they read)."""
    upstream = graph.get_ancestor_asset_keys(published)
    return sorted(
        (
            key
            for key in graph.asset_check_keys
            if key.asset_key in upstream and gates_publication(graph.get_check_spec(key))
        ),
        key=lambda key: (key.asset_key.to_user_string(), key.name),
    )


def lets_through(evaluation: AssetCheckEvaluation) -> bool:
    """Passed, or failed with WARN severity only: what Dagster's blocking checks let through."""
    return evaluation.passed or evaluation.severity != AssetCheckSeverity.ERROR


def _runs_since(instance: DagsterInstance, build_run_id: str) -> set[str]:
    """The build run and every run that may have evaluated a check after it: those updated
    since it was created, and those still marked running (one killed while evaluating)."""
    build = instance.get_run_record_by_id(build_run_id)
    if build is None:
        return set()
    later = instance.get_run_records(RunsFilter(updated_after=build.create_timestamp))
    unfinished = instance.get_run_records(RunsFilter(statuses=UNFINISHED))
    return {build_run_id} | {record.dagster_run.run_id for record in [*later, *unfinished]}


def read_audits(
    instance: DagsterInstance, build_run_id: str, checks: Iterable[AssetCheckKey]
) -> Audits:
    """The latest evaluation of each check, by when it was evaluated.

    Dagster's check history is in the order runs were planned, not evaluated: a run that
    waited for the work file was planned before the run it waited for and evaluates after it.
    So evaluations of the build run and of every run since are read and ordered by time; for a
    check none of them evaluated, the latest in its history (planned-order) says where it was
    last seen.
    """
    wanted = set(checks)
    latest: dict[AssetCheckKey, tuple[float, Evaluation]] = {}
    by_build: set[AssetCheckKey] = set()
    for run_id in _runs_since(instance, build_run_id):
        records = instance.get_records_for_run(
            run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
        for record in records:
            entry = record.event_log_entry
            evaluation = entry.dagster_event.event_specific_data
            key = evaluation.asset_check_key
            if key not in wanted:
                continue
            if run_id == build_run_id:
                by_build.add(key)
            if key not in latest or entry.timestamp >= latest[key][0]:
                latest[key] = (
                    entry.timestamp,
                    Evaluation(run_id, lets_through(evaluation), entry.timestamp),
                )
    found = {key: evaluation for key, (_, evaluation) in latest.items()}
    completed = set(COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES)
    for key in wanted - found.keys():
        history = instance.event_log_storage.get_asset_check_execution_history(
            key, limit=1, status=completed
        )
        if history and history[0].evaluation is not None:
            event = history[0].event
            at = event.timestamp if event is not None else history[0].create_timestamp
            found[key] = Evaluation(history[0].run_id, lets_through(history[0].evaluation), at)
    return Audits(found, frozenset(by_build))


def read_base(
    instance: DagsterInstance,
    graph: BaseAssetGraph,
    runs: Sequence[str],
    audits: Audits,
) -> Base:
    """`Base` of a build resting on the audits of `runs`: for each check last evaluated by one
    of them, the latest materialisation of its asset and of each model it also reads."""
    materialised: dict[AssetCheckKey, Materialised] = {}
    latest_of: dict[AssetKey, Materialised | None] = {}
    for key, evaluation in audits.latest.items():
        if evaluation.run_id not in runs:
            continue
        spec = graph.get_check_spec(key)
        reads = [key.asset_key, *(dep.asset_key for dep in spec.additional_deps)]
        for asset in reads:
            if asset not in latest_of:
                entry = instance.get_latest_materialization_event(asset)
                latest_of[asset] = (
                    Materialised(asset, entry.run_id, entry.timestamp) if entry else None
                )
        found = [m for asset in reads if (m := latest_of[asset]) is not None]
        if found:
            materialised[key] = max(found, key=lambda m: m.at)
    return Base(tuple(runs), materialised)


def unmet_checks(
    build_run_id: str, checks: Sequence[AssetCheckKey], audits: Audits, base: Base | None = None
) -> list[Unmet]:
    """The checks that keep the marts of `build_run_id` from being published: failed first.
    `base`: what the build rests on when it extends audited builds."""
    base = base or Base()
    unmet = []
    for key in checks:
        evaluation = audits.latest.get(key)
        if evaluation is None:
            unmet.append(Unmet(key, False, "never evaluated"))
        elif not evaluation.passed:
            where = "the build run" if evaluation.run_id == build_run_id else "run"
            unmet.append(Unmet(key, True, f"failed in {where} {evaluation.run_id}"))
        elif evaluation.run_id in base.runs:
            since = base.materialised.get(key)
            if since is not None and since.at > evaluation.at:
                reason = (
                    f"evaluated by run {evaluation.run_id} of the base build, before "
                    f"{since.asset.to_user_string()} was materialised again by run {since.run_id}"
                )
                unmet.append(Unmet(key, False, reason))
        elif evaluation.run_id != build_run_id:
            reason = (
                f"evaluated again since the build, by run {evaluation.run_id}"
                if key in audits.by_build
                else f"not evaluated by the build run (latest evaluation: run {evaluation.run_id})"
            )
            unmet.append(Unmet(key, False, reason))
    return sorted(unmet, key=lambda item: not item.failed)


def refusal(work_file: str, build: MartsBuild | None, unmet: Sequence[Unmet]) -> str:
    """Why publication is refused: the build, then every failed and missing check by name."""
    advice = (
        "Nothing was published: the published marts are as they were. Fix the cause, then run "
        "every asset again (python -m suanli.cli materialize, or Materialize all in the UI): it "
        "rebuilds the marts, audits them and publishes them."
    )
    if build is None:
        return (
            f"published/marts refused: no run has recorded building the marts of {work_file} "
            f"(audit.marts_build), so nothing says they were audited. {advice}"
        )
    failed = [item.describe() for item in unmet if item.failed]
    missing = [item.describe() for item in unmet if not item.failed]
    lines = [
        f"published/marts refused: the marts of {work_file} were built by run {build.run_id} "
        f"(at {build.built_at:%Y-%m-%d %H:%M:%S} UTC), and {len(unmet)} blocking "
        f"check{'' if len(unmet) == 1 else 's'} did not pass for that build."
    ]
    if failed:
        lines += [f"Failed ({len(failed)}):", *(f"  {line}" for line in failed)]
    if missing:
        lines += [f"Missing ({len(missing)}):", *(f"  {line}" for line in missing)]
    return "\n".join([*lines, advice])

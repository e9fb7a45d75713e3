"""Dagster's records read into the alert model: the one module that knows their shapes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dagster import AssetCheckKey, AssetCheckSpec, DagsterEvent, DagsterRun
from dagster._core.storage.asset_check_execution_record import (
    COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES,
    AssetCheckExecutionRecord,
)
from dagster._core.storage.event_log.base import EventLogStorage

from suanli.alerts.model import AUDIENCE, DATA, CheckEvaluation, RunFailure, StepFailure

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
# Evaluations of one check fetched per tick: more than any number of runs between two ticks.
HISTORY_LIMIT = 25
ERROR_WIDTH = 300


def partition_label(tags: Mapping[str, str]) -> str | None:
    """The year (or range of years) a run covered, from the tags Dagster sets on it."""
    if tags.get(PARTITION_TAG):
        return tags[PARTITION_TAG]
    start, end = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}…{end}"
    return None


def check_cursor_key(key: AssetCheckKey) -> str:
    return f"{key.asset_key.to_user_string()}:{key.name}"


def new_check_records(
    storage: EventLogStorage,
    check_keys: Iterable[AssetCheckKey],
    cursor: Mapping[str, int],
) -> tuple[list[AssetCheckExecutionRecord], dict[str, int]]:
    """Completed check executions after the cursor (per check: the last execution id seen).

    A check the cursor has never seen contributes only its latest completed execution, so
    that a new sensor reports what is failing now rather than the whole history.
    """
    completed = COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES
    records: list[AssetCheckExecutionRecord] = []
    advanced = dict(cursor)
    for key, latest in storage.get_latest_asset_check_execution_by_key(list(check_keys)).items():
        seen = cursor.get(check_cursor_key(key))
        if seen is not None and latest.id <= seen:
            continue
        if seen is None:
            fresh = [latest] if latest.status in completed else []
        else:
            history = storage.get_asset_check_execution_history(
                key, limit=HISTORY_LIMIT, status=set(completed)
            )
            fresh = [record for record in history if record.id > seen]
        if fresh:
            # A still-planned execution keeps its place: it is read once it completes.
            advanced[check_cursor_key(key)] = max(record.id for record in fresh)
            records.extend(fresh)
    return sorted(records, key=lambda record: record.id), advanced


def _metadata_value(metadata: Mapping[str, Any], name: str) -> Any:
    entry = metadata.get(name)
    return getattr(entry, "value", entry)


def check_audience(spec: AssetCheckSpec) -> str:
    """Who should hear of the check's failures: its spec's `suanli/audience`, else the data team."""
    return str(_metadata_value(spec.metadata or {}, AUDIENCE) or DATA)


def check_evaluation(
    record: AssetCheckExecutionRecord, run_tags: Mapping[str, str], audience: str = DATA
) -> CheckEvaluation:
    assert record.event is not None and record.event.dagster_event is not None
    evaluation = record.event.dagster_event.event_specific_data
    failures = _metadata_value(evaluation.metadata, "failed_expectations") or []
    # the page on the docs server, which a recipient's browser opens; else the file
    docs = _metadata_value(evaluation.metadata, "data_docs_url") or _metadata_value(
        evaluation.metadata, "data_docs"
    )
    # The raw assets' check `delivery_accepted`: the deliveries it held back.
    quarantined = _metadata_value(evaluation.metadata, "quarantined") or []
    return CheckEvaluation(
        asset=evaluation.asset_key.to_user_string(),
        check=evaluation.check_name,
        passed=evaluation.passed,
        severity=evaluation.severity.value,
        run_id=record.run_id,
        partition=record.partition or evaluation.partition or partition_label(run_tags),
        description=evaluation.description,
        blocking=bool(evaluation.blocking),
        failures=tuple(failures),
        data_docs=str(docs) if docs else None,
        quarantined=tuple(quarantined),
        audience=audience,
    )


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= ERROR_WIDTH else line[: ERROR_WIDTH - 1] + "…"


def _root_cause(error: Any) -> str:
    # Dagster wraps the user's exception ("Error occurred while executing op …"): say the cause.
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message if error is not None else ""


def run_failure(
    run: DagsterRun, failure_event: DagsterEvent, step_failures: Sequence[DagsterEvent]
) -> RunFailure:
    steps = tuple(
        StepFailure(
            event.step_key or "?",
            _one_line(_root_cause(getattr(event.event_specific_data, "error", None))),
        )
        for event in step_failures
    )
    return RunFailure(
        run_id=run.run_id,
        job=run.job_name,
        partition=partition_label(run.tags),
        message=_one_line(failure_event.message or "run failed"),
        steps=steps,
    )

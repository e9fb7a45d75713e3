"""Dagster's log records as `StepNews` for the terminal view: a Dagster logger that the CLI
adds to its run beside the full log (the view is told of steps, outputs, checks and warnings;
everything else is in the log file only)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from dagster import DagsterEvent, DagsterEventType, LoggerDefinition
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR

from suanli.terminal.progress import Kind, StepNews

PART_EVENTS = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_OBSERVATION}
# What a step that holds its events back logs as it goes (`progress_message`).
PROGRESS = re.compile(r"progress: (\d+) of (\d+) done")
NOT_EXECUTED = re.compile(r"Dependencies for step \S+ failed: .*\. Not executing\.")
# A run can fail outside its steps: its resources do not start, or the run is refused.
RUN_FAILURES = {DagsterEventType.RESOURCE_INIT_FAILURE, DagsterEventType.RUN_FAILURE}
STEP_EVENTS = {
    DagsterEventType.STEP_START: Kind.START,
    DagsterEventType.STEP_SUCCESS: Kind.SUCCESS,
    DagsterEventType.STEP_FAILURE: Kind.FAILURE,
    DagsterEventType.STEP_SKIPPED: Kind.SKIPPED,
}


def failure_text(event: DagsterEvent) -> str:
    """What failed, in the user's words: the first error below Dagster's own wrappers
    (`DagsterExecutionStepExecutionError`, `DagsterResourceFunctionError`, …), whole."""
    error = getattr(event.event_specific_data, "error", None)
    if error is None:
        return "failed"
    while error.cause is not None and error.cls_name and error.cls_name.startswith("Dagster"):
        error = error.cause
    return error.message.strip()


def check_text(event: DagsterEvent) -> str:
    """`<check> on <asset> (blocking|warning)` of a failed check evaluation."""
    evaluation = event.event_specific_data
    severity = getattr(evaluation.severity, "value", str(evaluation.severity)).lower()
    label = "blocking" if severity == "error" else severity
    return f"{evaluation.check_name} on {evaluation.asset_key.to_user_string()} ({label})"


def news_of(record: logging.LogRecord) -> list[StepNews]:
    """What the view is told of one Dagster log record (nothing for most of them)."""
    meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
    event: DagsterEvent | None = meta.get("dagster_event")
    step = meta.get("step_key")
    if event is None:
        message = meta.get("orig_message") or record.getMessage()
        if NOT_EXECUTED.match(message):
            # Dagster's only word of a step it leaves out: a warning, not a STEP_SKIPPED event.
            return [StepNews(Kind.SKIPPED, step, "a step it reads failed")]
        if record.levelno >= logging.WARNING:
            return [StepNews(Kind.WARNING, step, message)]
        if meta.get("resource_name") and record.levelno >= logging.INFO:
            return [StepNews(Kind.NOTE, step, message)]
        if progress := PROGRESS.match(message):
            return [StepNews(Kind.PROGRESS, step, progress.group(1))]
        return []
    kind = event.event_type
    if kind in RUN_FAILURES and (text := failure_text(event)) != "failed":
        return [StepNews(Kind.FAILURE, None, text)]
    if kind in STEP_EVENTS:
        text = failure_text(event) if kind is DagsterEventType.STEP_FAILURE else ""
        return [StepNews(STEP_EVENTS[kind], event.step_key, text)]
    if kind in PART_EVENTS:
        return [StepNews(Kind.PART, event.step_key)]
    if kind is DagsterEventType.ASSET_CHECK_EVALUATION:
        news = [StepNews(Kind.CHECK, event.step_key)]
        if not event.event_specific_data.passed:
            news.append(StepNews(Kind.CHECK_FAILED, event.step_key, check_text(event)))
        return news
    return []


def progress_message(done: int, expected: int) -> str:
    """The debug line a step logs while it holds its events back (dbt's build, whose row
    counts wait for dbt to exit), so the terminal's bar moves all the same."""
    return f"progress: {done} of {expected} done"


def step_parts(definitions: Sequence[object]) -> dict[str, int]:
    """Op name → how many outputs and checks its step reports: the length of its bar."""
    parts: dict[str, int] = {}
    for definition in definitions:
        if getattr(definition, "is_executable", True) and hasattr(definition, "op"):
            keys = getattr(definition, "keys", ())
            parts[definition.op.name] = len(keys) + len(definition.check_keys)
    return parts


def news_logger(tell: Callable[[StepNews], None]) -> LoggerDefinition:
    """A Dagster logger handing each record's news to `tell` (the run's `RunView.note`)."""

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            for news in news_of(record):
                tell(news)

    def make(_init_context: object) -> logging.Logger:
        logger = logging.getLogger("suanli.terminal")
        logger.handlers = [Handler(logging.DEBUG)]
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        return logger

    return LoggerDefinition(make, description="progress on the terminal (suanli.terminal)")

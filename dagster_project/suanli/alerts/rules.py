"""Which events deserve which alert. Pure functions: no Dagster, no I/O, the clock is a parameter.

Deduplication: a key (a check on an asset, a job, a source) that is failing with the same
signature is announced once per window; when it stops failing, one recovery is announced.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from suanli.alerts.model import (
    DATA,
    Alert,
    AlertState,
    CheckEvaluation,
    Kind,
    Outgoing,
    RunFailure,
    SourceFreshness,
)

# Offending rows quoted per failed expectation: enough to find them, short enough to read.
SAMPLE_ROWS = 3
# A quarantined delivery's problems are all quoted (intake keeps at most a thousand in detail),
# each cut to this many characters around its middle: the file, row and column at the start
# and what was expected at the end stay readable whatever the offending value.
PROBLEM_WIDTH = 300
DAY = 86400.0


class Verdict(Enum):
    ALERT = "alert"
    RECOVER = "recover"
    QUIET = "quiet"


def judge(
    failing: bool,
    signature: str,
    previous: AlertState | None,
    now: float,
    window_seconds: float,
) -> Verdict:
    if failing:
        repeated = (
            previous is not None
            and previous.failing
            and previous.signature == signature
            and now - previous.alerted_at < window_seconds
        )
        return Verdict.QUIET if repeated else Verdict.ALERT
    return Verdict.RECOVER if previous is not None and previous.failing else Verdict.QUIET


def signature_of(parts: Iterable[Any]) -> str:
    """A short stable hash of what is wrong (not of when or in which run)."""
    lines = sorted(json.dumps(part, sort_keys=True, default=str) for part in parts)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def check_signature(evaluation: CheckEvaluation) -> str:
    # Which expectations fail and what they allow; not the observed values, which change
    # with every delivery of the same problem.
    return signature_of(
        [
            [f.get("expectation"), f.get("column"), f.get("severity"), f.get("bounds")]
            for f in evaluation.failures
        ]
        # A quarantined delivery is its own problem: new bytes alert again, the same do not.
        + [["quarantined", d.get("sha256")] for d in evaluation.quarantined]
        or [["failed", evaluation.severity]]
    )


def run_url(base_url: str, run_id: str) -> str:
    return f"{base_url.rstrip('/')}/runs/{run_id}"


def asset_url(base_url: str, asset: str) -> str:
    return f"{base_url.rstrip('/')}/assets/{asset}"


def _where(asset: str, partition: str | None) -> str:
    return f"{asset} ({partition})" if partition else asset


def bounded_problem(line: str) -> str:
    line = " ".join(str(line).split())
    if len(line) <= PROBLEM_WIDTH:
        return line
    head = (PROBLEM_WIDTH - 1) // 2
    return line[:head] + "…" + line[-(PROBLEM_WIDTH - 1 - head) :]


def quarantined_deliveries(evaluation: CheckEvaluation) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "file": delivery.get("file"),
            "sha256": delivery.get("sha256"),
            "archived_path": delivery.get("archived_path"),
            "problems": [bounded_problem(line) for line in delivery.get("problems") or []],
        }
        for delivery in evaluation.quarantined
    )


def check_alert(evaluation: CheckEvaluation, base_url: str) -> Alert:
    expectations = tuple(
        {
            "expectation": failure.get("expectation"),
            "column": failure.get("column"),
            "severity": failure.get("severity"),
            "bounds": failure.get("bounds") or {},
            "observed": failure.get("observed"),
            "unexpected_count": failure.get("unexpected_count"),
            "rows": list(failure.get("unexpected_sample") or [])[:SAMPLE_ROWS],
        }
        for failure in evaluation.failures
    )
    quarantined = quarantined_deliveries(evaluation)
    return Alert(
        kind=Kind.CHECK_FAILED,
        key=evaluation.key,
        title=(
            f"{evaluation.severity} check {evaluation.check} failed on "
            f"{_where(evaluation.asset, evaluation.partition)}"
        ),
        severity=evaluation.severity,
        asset=evaluation.asset,
        check=evaluation.check,
        partition=evaluation.partition,
        run_id=evaluation.run_id,
        run_url=run_url(base_url, evaluation.run_id),
        asset_url=asset_url(base_url, evaluation.asset),
        data_docs=evaluation.data_docs,
        expectations=expectations,
        quarantined=quarantined,
        audience=evaluation.audience,
        details=(
            ("blocking: downstream assets were not materialised",)
            if evaluation.blocking and evaluation.severity == "ERROR"
            else ()
        )
        # The description says again, shorter, what the expectations or problems say.
        + (
            (evaluation.description,)
            if evaluation.description and not expectations and not quarantined
            else ()
        ),
    )


def recovery_alert(evaluation: CheckEvaluation, base_url: str) -> Alert:
    return Alert(
        kind=Kind.CHECK_RECOVERED,
        key=evaluation.key,
        title=(
            f"check {evaluation.check} passes again on "
            f"{_where(evaluation.asset, evaluation.partition)}"
        ),
        severity="INFO",
        asset=evaluation.asset,
        check=evaluation.check,
        partition=evaluation.partition,
        run_id=evaluation.run_id,
        run_url=run_url(base_url, evaluation.run_id),
        asset_url=asset_url(base_url, evaluation.asset),
        data_docs=evaluation.data_docs,
        audience=evaluation.audience,
    )


def plan_check_alerts(
    evaluations: Sequence[CheckEvaluation],
    states: Mapping[str, AlertState],
    now: float,
    window_seconds: float,
    base_url: str,
    audiences: Collection[str] = (DATA,),
) -> list[Outgoing]:
    """Alerts for new evaluations (oldest first) given what was already said about each check.

    Only for the `audiences` someone listens for: a check for another audience (the method's
    owners, with no list configured) is not the data team's news, and nothing is remembered
    of it, so that configuring its audience later starts from its next evaluation."""
    states = dict(states)
    outgoing = []
    for evaluation in evaluations:
        if evaluation.audience not in audiences:
            continue
        signature = "" if evaluation.passed else check_signature(evaluation)
        verdict = judge(
            not evaluation.passed, signature, states.get(evaluation.key), now, window_seconds
        )
        if verdict is Verdict.ALERT:
            states[evaluation.key] = AlertState(True, signature, now)
            outgoing.append(Outgoing(check_alert(evaluation, base_url), states[evaluation.key]))
        elif verdict is Verdict.RECOVER:
            states[evaluation.key] = AlertState(False, "", now)
            outgoing.append(Outgoing(recovery_alert(evaluation, base_url), states[evaluation.key]))
    return outgoing


def plan_run_failure_alert(
    failure: RunFailure,
    previous: AlertState | None,
    now: float,
    window_seconds: float,
    base_url: str,
) -> Outgoing | None:
    # The same job failing in the same steps again within the window is the same news.
    signature = signature_of([step.step for step in failure.steps] or [failure.message])
    if judge(True, signature, previous, now, window_seconds) is not Verdict.ALERT:
        return None
    alert = Alert(
        kind=Kind.RUN_FAILED,
        key=failure.key,
        title=f"run of {failure.job}"
        + (f" ({failure.partition})" if failure.partition else "")
        + " failed",
        severity="ERROR",
        partition=failure.partition,
        run_id=failure.run_id,
        run_url=run_url(base_url, failure.run_id),
        details=(failure.message, *(f"step {s.step}: {s.error}" for s in failure.steps)),
    )
    return Outgoing(alert, AlertState(True, signature, now))


def is_stale(source: SourceFreshness, now: float) -> bool:
    return (
        source.last_materialised is None
        or now - source.last_materialised > source.window_days * DAY
    )


def _last_seen(source: SourceFreshness) -> str:
    if source.last_materialised is None:
        return "never materialised"
    moment = datetime.fromtimestamp(source.last_materialised, UTC)
    return f"last materialised {moment:%Y-%m-%d %H:%M} UTC"


def plan_freshness_alerts(
    sources: Sequence[SourceFreshness],
    states: Mapping[str, AlertState],
    now: float,
    window_seconds: float,
    base_url: str,
) -> list[Outgoing]:
    outgoing = []
    for source in sources:
        stale = is_stale(source, now)
        signature = "stale" if stale else ""
        verdict = judge(stale, signature, states.get(source.key), now, window_seconds)
        if verdict is Verdict.QUIET:
            continue
        window = f"expected within {source.window_days:g} days"
        alert = Alert(
            kind=Kind.SOURCE_STALE if stale else Kind.SOURCE_FRESH,
            key=source.key,
            title=(
                f"source {source.asset} is stale: {_last_seen(source)}"
                if stale
                else f"source {source.asset} is fresh again"
            ),
            severity="WARN" if stale else "INFO",
            asset=source.asset,
            asset_url=asset_url(base_url, source.asset),
            details=(f"{_last_seen(source)}, {window}",),
        )
        outgoing.append(Outgoing(alert, AlertState(stale, signature, now)))
    return outgoing

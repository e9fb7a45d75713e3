"""What can happen (check evaluations, run failures, source freshness) and what we say about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Check metadata: who should hear of a failure. The data team (the default) hears of what a
# delivery or a run got wrong; the method's owners of what the index definition does (a
# coherence flag), which no delivery fixes and which should not page the data team.
AUDIENCE = "suanli/audience"
DATA = "data"
METHOD = "method"
AUDIENCES = (DATA, METHOD)


@dataclass(frozen=True)
class CheckEvaluation:
    """One evaluation of an asset check, as recorded in the Dagster event log."""

    asset: str  # "raw/compute_centres"
    check: str
    passed: bool
    severity: str  # "ERROR" or "WARN"
    run_id: str
    partition: str | None = None
    description: str | None = None
    blocking: bool = False
    # The GX checks' `failed_expectations` metadata: expectation, column, severity, bounds,
    # observed, unexpected_count, unexpected_sample.
    failures: tuple[Mapping[str, Any], ...] = ()
    data_docs: str | None = None
    # The raw assets' `quarantined` metadata (check `delivery_accepted`): file, sha256,
    # archived_path and every problem line of each delivery held back.
    quarantined: tuple[Mapping[str, Any], ...] = ()
    audience: str = DATA  # the check spec's `suanli/audience`

    @property
    def key(self) -> str:
        return f"check:{self.asset}:{self.check}"


@dataclass(frozen=True)
class StepFailure:
    step: str
    error: str  # first line of the error message


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job: str
    partition: str | None
    message: str
    steps: tuple[StepFailure, ...] = ()

    @property
    def key(self) -> str:
        return f"run:{self.job}"


@dataclass(frozen=True)
class SourceFreshness:
    """When a raw source was last materialised, against the window it is expected within."""

    asset: str  # "raw/compute_centres"
    window_days: float
    last_materialised: float | None  # POSIX timestamp; None = never

    @property
    def key(self) -> str:
        return f"freshness:{self.asset}"


class Kind(StrEnum):
    CHECK_FAILED = "check_failed"
    CHECK_RECOVERED = "check_recovered"
    RUN_FAILED = "run_failed"
    SOURCE_STALE = "source_stale"
    SOURCE_FRESH = "source_fresh"

    @property
    def is_recovery(self) -> bool:
        return self in (Kind.CHECK_RECOVERED, Kind.SOURCE_FRESH)


@dataclass(frozen=True)
class Alert:
    kind: Kind
    key: str  # what is (or was) wrong: one dedup entry per key
    title: str
    severity: str  # ERROR, WARN or INFO (recoveries)
    asset: str | None = None
    check: str | None = None
    partition: str | None = None
    run_id: str | None = None
    run_url: str | None = None
    asset_url: str | None = None
    data_docs: str | None = None
    # Failed expectations with a few offending rows each (check alerts).
    expectations: tuple[Mapping[str, Any], ...] = ()
    # Quarantined deliveries, each with every one of its problem lines (check alerts).
    quarantined: tuple[Mapping[str, Any], ...] = ()
    # Further lines worth reading: failed steps, last materialisation, ...
    details: tuple[str, ...] = ()
    audience: str = DATA  # whose channels it goes to

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "title": self.title,
            "severity": self.severity,
            "asset": self.asset,
            "check": self.check,
            "partition": self.partition,
            "run_id": self.run_id,
            "run_url": self.run_url,
            "asset_url": self.asset_url,
            "data_docs": self.data_docs,
            "expectations": [dict(expectation) for expectation in self.expectations],
            "quarantined": [dict(delivery) for delivery in self.quarantined],
            "details": list(self.details),
            "audience": self.audience,
        }


@dataclass(frozen=True)
class AlertState:
    """What was last said about a key: failing with this signature since `alerted_at`, or not."""

    failing: bool
    signature: str = ""
    alerted_at: float = 0.0


@dataclass(frozen=True)
class Outgoing:
    """An alert to send, and the state to remember once it has been delivered."""

    alert: Alert
    state: AlertState

"""Expected freshness windows of the raw sources, read from one YAML file (config/freshness.yml):
by the stale-source alert sensor, and as each raw asset's Dagster freshness policy (shown on its
page and in the asset health of the UI)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import yaml
from dagster import FreshnessPolicy

from suanli.settings import FRESHNESS_FILE, resolve_from_repo

DEFAULT_FILE = "config/freshness.yml"
DEFAULT_DAYS = 400.0


@dataclass(frozen=True)
class FreshnessWindows:
    default_days: float = DEFAULT_DAYS
    sources: Mapping[str, float] = field(default_factory=dict)

    def days_for(self, source: str) -> float:
        return self.sources.get(source, self.default_days)


def _days(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{where}: a freshness window is a positive number of days, not {value!r}")
    return float(value)


def load_windows(path: Path) -> FreshnessWindows:
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    default = _days(config.get("default_days", DEFAULT_DAYS), f"{path.name}: default_days")
    sources = {
        str(name): _days(days, f"{path.name}: sources.{name}")
        for name, days in (config.get("sources") or {}).items()
    }
    return FreshnessWindows(default, sources)


def windows_in_force() -> FreshnessWindows:
    """The windows of the file the alerts read (SUANLI_FRESHNESS_FILE, else config/)."""
    return load_windows(resolve_from_repo(FRESHNESS_FILE.get() or DEFAULT_FILE))


def freshness_policy(windows: FreshnessWindows, source: str) -> FreshnessPolicy:
    """Dagster's policy for a source: failing once it has not been materialised in its window."""
    return FreshnessPolicy.time_window(fail_window=timedelta(days=windows.days_for(source)))

"""Freshness windows are data (config/freshness.yml) and cover every raw source."""

from __future__ import annotations

from pathlib import Path

import pytest

from suanli.alerts.freshness import DEFAULT_FILE, load_windows
from suanli.intake.catalog import source_specs
from suanli.settings import resolve_from_repo
from suanli.transform.assets import load_manifest


def test_the_bundled_file_names_every_raw_source_and_only_those() -> None:
    windows = load_windows(resolve_from_repo(DEFAULT_FILE))
    assert set(windows.sources) == {spec.name for spec in source_specs(load_manifest())}
    monthly = {"centre_energy"}  # meter telemetry, a file a month
    assert all(days >= 365 for name, days in windows.sources.items() if name not in monthly)
    assert all(31 < windows.sources[name] < 100 for name in monthly)


def test_unlisted_sources_get_the_default(tmp_path: Path) -> None:
    path = tmp_path / "freshness.yml"
    path.write_text("default_days: 30\nsources:\n  patents: 7\n", encoding="utf-8")
    windows = load_windows(path)
    assert windows.days_for("patents") == 7 and windows.days_for("network_stats") == 30


@pytest.mark.parametrize("days", ["0", "-3", "soon", "true"])
def test_a_window_must_be_a_positive_number_of_days(tmp_path: Path, days: str) -> None:
    path = tmp_path / "freshness.yml"
    path.write_text(f"sources:\n  patents: {days}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sources\.patents"):
        load_windows(path)

"""Fixtures of the expert-panel tests."""

from __future__ import annotations

import json

import pytest

from suanli.intake.catalog import SourceSpec, source_specs
from suanli.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="session")
def spec() -> SourceSpec:
    """The contract of the source `expert_judgements`, as dbt's sources declare it."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    [found] = [s for s in source_specs(manifest) if s.name == "expert_judgements"]
    return found

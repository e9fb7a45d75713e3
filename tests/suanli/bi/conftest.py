"""Fixtures for what BI tools read: the marts file, and the dbt manifest that documents it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from suanli.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="session")
def published_marts(env: dict[str, str], first_run) -> Path:
    """The DuckDB file BI tools open (published after the session's full run of the bundled
    snapshot), beside the work warehouse."""
    work = Path(env["SUANLI_WAREHOUSE"])
    return work.with_name(f"{work.stem}_marts{work.suffix}")


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    """The dbt manifest `make test` writes first (`make manifest`)."""
    path = DBT_PROJECT_DIR / "target" / "manifest.json"
    assert path.is_file(), f"{path} missing: run `make manifest`"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def mart_models(manifest: dict[str, Any]) -> dict[str, str]:
    """Every dbt model tagged `mart`, with its materialisation (table or view)."""
    return {
        node["name"]: node["config"]["materialized"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and "mart" in node["tags"]
    }


@pytest.fixture(scope="session")
def empty_on_the_snapshot(manifest: dict[str, Any]) -> frozenset[str]:
    """Marts the bundled snapshot leaves empty (`meta: {empty_until: …}`: the expert-panel
    marts, until a panel judges): empty there, and only those."""
    return frozenset(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("empty_until")
    )

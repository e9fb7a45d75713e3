"""Fixtures for what BI tools read: the marts file, the dbt manifest that documents it, and
the exports made of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from dagster import materialize

from suanli.publish.exports import WORKBOOK_NAME
from suanli.publish.exports_asset import EXPORTS_KEY, marts_exports
from suanli.settings import DBT_PROJECT_DIR
from suanli.warehouse.resource import WarehouseResource


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


@pytest.fixture(scope="session")
def export_dir(published_marts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The asset materialised by Dagster, writing where SUANLI_EXPORT_DIR says."""
    out_dir = tmp_path_factory.mktemp("exports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUANLI_EXPORT_DIR", str(out_dir))
        result = materialize(
            [marts_exports],
            resources={
                "warehouse": WarehouseResource(
                    path=str(published_marts.with_name("suanli.duckdb")),
                    marts_path=str(published_marts),
                )
            },
        )
    assert result.success
    [materialization] = result.asset_materializations_for_node(marts_exports.op.name)
    assert materialization.asset_key == EXPORTS_KEY
    return out_dir


@pytest.fixture(scope="module")
def marts(published_marts: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published marts, read-only, for one test file: a connection left open for the
    session would refuse a BI driver's own (DuckDB admits one configuration per file in a
    process, and duckdb-engine adds a user agent to it)."""
    with duckdb.connect(str(published_marts), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="session")
def workbook(export_dir: Path) -> openpyxl.Workbook:
    """The exported workbook, as openpyxl reads it."""
    # Not read-only: frozen panes and column widths are only loaded in the normal mode.
    return openpyxl.load_workbook(export_dir / WORKBOOK_NAME)

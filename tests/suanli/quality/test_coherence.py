"""The coherence check (`suanli.quality.coherence`) on a small marts.fct_node_coherence in a real
DuckDB file, read through the warehouse resource as a run reads it."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetCheckSeverity

from suanli.quality.coherence import node_coherence
from suanli.warehouse.resource import WarehouseResource

COLUMNS = (
    "system_code varchar, year integer, unit_level varchar, node_code varchar, "
    "child_code varchar, min_sibling_code varchar, min_sibling_pearson double, "
    "max_sibling_code varchar, max_sibling_pearson double, pearson_with_parent double, "
    "negative_with_sibling boolean, redundant_with_sibling boolean, weak_with_parent boolean"
)
# system, year, node, child, lowest sibling and r, highest sibling and r, r with the parent
Row = tuple[str, int, str, str, str | None, float | None, str | None, float | None, float]

COHERENT_2025: list[Row] = [
    ("v4", 2025, "environment", "environment_resources", "environment_market", 0.55,
     "environment_market", 0.55, 0.80),
    ("v4", 2025, "environment", "environment_market", "environment_resources", 0.55,
     "environment_resources", 0.55, 0.85),
]  # fmt: skip
# The year before: negative siblings, which the latest year no longer has.
INCOHERENT_2024: list[Row] = [
    ("v4", 2024, "environment", "environment_resources", "environment_market", -0.2,
     "environment_market", -0.2, 0.6),
    ("v4", 2024, "environment", "environment_market", "environment_resources", -0.2,
     "environment_resources", -0.2, 0.7),
]  # fmt: skip
INCOHERENT_2025: list[Row] = [
    # one negative pair, seen from both of its children
    ("v4", 2025, "environment", "environment_resources", "environment_market", -0.41,
     "environment_market", -0.41, 0.62),
    ("v4", 2025, "environment", "environment_market", "environment_resources", -0.41,
     "environment_resources", -0.41, 0.9),
    # a redundant pair, and a third child weakly tied to the parent
    ("v4", 2025, "model", "model_resources", "model_talent", 0.5, "model_ecosystem", 0.97, 0.95),
    ("v4", 2025, "model", "model_ecosystem", "model_talent", 0.4, "model_resources", 0.97, 0.93),
    ("v4", 2025, "model", "model_talent", "model_ecosystem", 0.4, "model_resources", 0.5, 0.21),
]  # fmt: skip


def warehouse_with(tmp_path: Path, rows: list[Row]) -> WarehouseResource:
    path = tmp_path / "work.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute(f"create table marts.fct_node_coherence ({COLUMNS})")
        for row in rows:
            *_, min_r, _, max_r, parent_r = row
            flags = (
                min_r is not None and min_r < 0,
                max_r is not None and max_r > 0.92,
                parent_r < 0.3,
            )
            connection.execute(
                "insert into marts.fct_node_coherence values "
                "(?, ?, 'province', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*row, *flags],
            )
    return WarehouseResource(path=str(path))


def test_coherent_latest_year_passes_whatever_older_years_said(tmp_path: Path) -> None:
    result = node_coherence(warehouse=warehouse_with(tmp_path, INCOHERENT_2024 + COHERENT_2025))
    assert result.passed
    assert result.metadata["flags"].value == 0


def test_incoherent_latest_year_warns_naming_each_pair_and_figure(tmp_path: Path) -> None:
    result = node_coherence(warehouse=warehouse_with(tmp_path, INCOHERENT_2025))
    assert not result.passed and result.severity is AssetCheckSeverity.WARN
    lines = (result.description or "").splitlines()
    assert lines[1:] == [
        "v4 2025 province environment: environment_market ↔ environment_resources r = −0.41 "
        "(negative with a sibling)",
        "v4 2025 province model: model_ecosystem ↔ model_resources r = 0.97 (redundant, r > 0.92)",
        "v4 2025 province model: model_talent ↔ model (parent) r = 0.21 "
        "(weak with the parent, r < 0.3)",
    ]  # each pair once, though both of its children carry the flag
    assert "index definition" in lines[0]
    counts = {key: value.value for key, value in result.metadata.items() if key.startswith("flags")}
    assert counts == {
        "flags": 3,
        "flags_negative_with_sibling": 1,
        "flags_redundant_with_sibling": 1,
        "flags_weak_with_parent": 1,
    }


def test_an_empty_mart_passes(tmp_path: Path) -> None:
    assert node_coherence(warehouse=warehouse_with(tmp_path, [])).passed

"""dbt's unit tests (the `unit_tests:` of the models' yml) pass.

A pipeline run leaves them out (they test the SQL on fixed inputs, not the data), so they run
here, in both test lanes: on a scaffold warehouse whose tables exist but hold no rows (the
typed raw tables of every source's contract, the index definitions, the models built with
`--empty`), which is all dbt needs to compile a unit test's inputs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
from dagster import materialize
from dbt_runs import dbt_in

from suanli.index.assets import index_definitions
from suanli.intake.catalog import source_specs
from suanli.intake.delivery import prepare_raw_tables
from suanli.settings import DBT_PROJECT_DIR
from suanli.warehouse.resource import WarehouseResource

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt(scratch: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Real dbt with its own target and log paths: the shared manifest stays untouched."""
    return dbt_in(scratch, {"SUANLI_WAREHOUSE": str(warehouse)}, *args)


def test_every_dbt_unit_test_passes(tmp_path: Path) -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    declared = set(manifest["unit_tests"])
    assert declared, "no unit tests declared in the dbt project"

    warehouse = tmp_path / "scaffold.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        for spec in source_specs(manifest):
            prepare_raw_tables(connection, spec)
    resources = {"warehouse": WarehouseResource(path=str(warehouse))}
    assert materialize([index_definitions], resources=resources).success
    # The marts pivot years into columns: with no rows their contracts cannot hold, and no
    # unit test reads a mart.
    empty = dbt(
        tmp_path, warehouse, "build", "--empty", "--exclude", "tag:mart",
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
    )  # fmt: skip
    assert empty.returncode == 0, empty.stdout[-3000:]

    tested = dbt(tmp_path, warehouse, "test", "--select", "test_type:unit")
    assert tested.returncode == 0, tested.stdout[-5000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))
    statuses = {result["unique_id"]: result["status"] for result in results["results"]}
    assert set(statuses) == declared
    assert set(statuses.values()) == {"pass"}

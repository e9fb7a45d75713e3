"""dbt's unit tests (the `unit_tests:` of the models' yml) pass.

A pipeline run leaves them out (they test the SQL on fixed inputs, not the data), so they run
here, in both test lanes: on a scaffold warehouse whose tables exist but hold no rows (the
typed raw tables of every source's contract, the index definitions), in one `dbt build
--empty` of the unit-tested models and everything upstream of them. dbt runs each model's unit
tests once its parents exist (built without rows), which is all a unit test needs to compile
its inputs.
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

    warehouse = tmp_path / "suanli.duckdb"  # named as the manifest's database: no re-parse
    with duckdb.connect(str(warehouse)) as connection:
        for spec in source_specs(manifest):
            prepare_raw_tables(connection, spec)
    resources = {"warehouse": WarehouseResource(path=str(warehouse))}
    assert materialize([index_definitions], resources=resources).success
    # Not the other marts: some pivot years into columns, a contract no empty table holds.
    built = dbt(
        tmp_path, warehouse, "build", "--empty", "--select", "+test_type:unit",
        "--exclude-resource-type", "test",
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-5000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))
    statuses = {result["unique_id"]: result["status"] for result in results["results"]}
    unit_tests = {key: status for key, status in statuses.items() if key.startswith("unit_test.")}
    assert set(unit_tests) == declared
    assert set(unit_tests.values()) == {"pass"}
    assert set(statuses.values()) == {"pass", "success"}

"""dbt models as assets, in three steps so that audits can gate publication:

1. `dbt_foundation`: seeds, staging views, index weights (unpartitioned);
2. `dbt_yearly`: indicator values, scores and ranks, rebuilt per year partition (`by_year`);
3. `dbt_marts`: the candidate marts, copied from the audited intermediate tables.

Blocking GX checks on step 2's tables run between steps 2 and 3, and on step 3's marts before
`published/marts` copies them into the file BI reads; a failing audit publishes nothing.
Step 3 first records that its run is building the marts, and from which deliveries
(`suanli.builds`): publication checks that this run's audits passed (`suanli.gate`).
The run holds the warehouse from its first step to its last, so two runs never write at once.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from suanli.builds import record_marts_build
from suanli.partitions import year_partitions
from suanli.paths import DBT_PROJECT_DIR
from suanli.resources.warehouse import WarehouseResource

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# Tests run only once every model they read is built or upstream of this step.
BUILD_ARGS = ["build", "--indirect-selection", "buildable"]


class SuanliDbtTranslator(DagsterDbtTranslator):
    """Keys and groups by warehouse layer: raw/…, definitions/…, reference/…, staging/…, marts/…"""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        return dbt_resource_props["config"]["schema"]


translator = SuanliDbtTranslator()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude="tag:by_year tag:mart",
    dagster_dbt_translator=translator,
    name="dbt_foundation",
)
def dbt_foundation(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    with warehouse.lock("dbt_foundation"):
        yield from dbt.cli(BUILD_ARGS, context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select="tag:by_year",
    dagster_dbt_translator=translator,
    partitions_def=year_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    name="dbt_yearly",
)
def dbt_yearly(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    years = sorted(int(key) for key in context.partition_keys)
    args = [*BUILD_ARGS, "--vars", json.dumps({"years": years})]
    with warehouse.lock(f"dbt_yearly {years}"):
        yield from dbt.cli(args, context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select="tag:mart",
    dagster_dbt_translator=translator,
    name="dbt_marts",
)
def dbt_marts(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    with warehouse.lock("dbt_marts"):
        with warehouse.connect(what="dbt_marts") as connection:
            build = record_marts_build(connection, context.run_id)
        context.log.info(f"building the marts from {len(build.deliveries)} current deliveries")
        yield from dbt.cli(BUILD_ARGS, context=context).stream()


def load_manifest() -> dict[str, Any]:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))

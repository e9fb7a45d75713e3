"""The publish step of write–audit–publish: the audited marts become what BI tools read."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from suanli.assets.dbt import load_manifest, translator
from suanli.publish import publish_marts
from suanli.resources.warehouse import WarehouseResource

PUBLISHED_KEY = AssetKey(["published", "marts"])
DELIVERY_FIELDS = ("source", "partition", "file", "sha256", "received_at")


def mart_keys(manifest: Mapping[str, Any]) -> list[AssetKey]:
    """Every dbt model tagged `mart`: all of them must be built and audited before publishing."""
    return sorted(
        (
            translator.get_asset_key(node)
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and "mart" in node["tags"]
        ),
        key=lambda key: key.to_user_string(),
    )


@asset(
    key=PUBLISHED_KEY,
    deps=mart_keys(load_manifest()),
    group_name="published",
    kinds={"duckdb"},
    description="The marts BI tools read: a separate DuckDB file, replaced atomically by a copy "
    "of the work file's marts once their blocking checks pass. A failed or killed run leaves it "
    "as it was.",
)
def published_marts(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    what = f"run {context.run_id}: publish"
    with warehouse.lock(what):
        with warehouse.connect(read_only=True, what=what) as connection:
            deliveries = [
                dict(zip(DELIVERY_FIELDS, row, strict=True))
                for row in connection.execute(
                    "select source, partition_key, file_name, delivery_id, "
                    "strftime(received_at, '%Y-%m-%dT%H:%M:%S') from raw.deliveries "
                    "where is_current order by source, partition_key"
                ).fetchall()
            ]
        result = publish_marts(
            warehouse.file, warehouse.published_path, run_id=context.run_id, deliveries=deliveries
        )
    context.log.info(
        f"published {len(result.tables)} tables and {len(result.views)} views to {result.path}"
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "published_at": result.published_at.isoformat(),
            "rows": MetadataValue.json(result.tables),
            "views": ", ".join(result.views),
            "size_bytes": result.size_bytes,
            "deliveries": len(deliveries),
        }
    )

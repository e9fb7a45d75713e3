"""One asset per raw source: pull the delivery from the landing location into `raw.<source>`.

The sources and their expected columns are declared once, in dbt's sources YAML; this module
turns each declaration into an asset (year-partitioned when the source delivers per year).
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from suanli.partitions import year_partitions
from suanli.resources.landing import LandingResource
from suanli.resources.warehouse import WarehouseResource
from suanli.sources.catalog import SourceSpec, source_specs
from suanli.sources.delivery import Delivery, DeliveryError, store

DELIVERIES_KEY = AssetKey(["raw", "deliveries"])

deliveries_log = AssetSpec(
    DELIVERIES_KEY,
    description="Log of every delivered file (hash, name, size, encoding, rows, archive path); "
    "written by the raw assets as they load.",
    group_name="raw",
)


def raw_asset_key(source_name: str) -> AssetKey:
    return AssetKey(["raw", source_name])


def build_raw_asset(spec: SourceSpec) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(spec.name),
        description=spec.description,
        group_name="raw",
        partitions_def=year_partitions if spec.partitioned_by_year else None,
        backfill_policy=BackfillPolicy.single_run() if spec.partitioned_by_year else None,
        pool="warehouse",
        kinds={"duckdb", "csv"},
        metadata={"file_pattern": spec.file_pattern, "columns": ", ".join(spec.columns)},
    )
    def _raw_source(
        context: AssetExecutionContext,
        landing: LandingResource,
        warehouse: WarehouseResource,
    ) -> MaterializeResult:
        partition_keys = context.partition_keys if spec.partitioned_by_year else [None]
        loaded: list[dict[str, Any]] = []
        with warehouse.connect() as connection:
            for partition_key in partition_keys:
                relative_path = spec.relative_path(partition_key)
                content = landing.fetch(relative_path)
                delivery = Delivery(spec.name, partition_key, Path(relative_path).name, content)
                try:
                    result = store(connection, spec, delivery, warehouse.archive_path)
                except DeliveryError as error:
                    raise Failure(
                        description=f"delivery rejected: {error}",
                        metadata={"location": landing.describe(relative_path)},
                    ) from error
                action = "loaded" if result.is_new else "unchanged, skipped"
                context.log.info(
                    f"{result.file_name}: {action} ({result.row_count} rows, "
                    f"{result.encoding}, sha256 {result.delivery_id[:12]})"
                )
                loaded.append(
                    {
                        "partition": partition_key,
                        "file": result.file_name,
                        "rows": result.row_count,
                        "new": result.is_new,
                        "sha256": result.delivery_id,
                    }
                )
        return MaterializeResult(
            metadata={
                "deliveries": MetadataValue.json(loaded),
                "rows": sum(entry["rows"] for entry in loaded),
                "new_deliveries": sum(entry["new"] for entry in loaded),
            }
        )

    return _raw_source


def build_raw_assets(manifest: Mapping[str, Any]) -> list[AssetsDefinition]:
    return [build_raw_asset(spec) for spec in source_specs(manifest)]

"""One asset per raw source: pull the delivery from the landing location into `raw.<source>`.

The sources and their expected columns are declared once, in dbt's sources YAML; this module
turns each declaration into an asset (year-partitioned when the source delivers per year).
"""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
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

from suanli.alerts.freshness import FreshnessWindows, freshness_policy, windows_in_force
from suanli.code_versions import code_version
from suanli.index.partitions import year_partitions
from suanli.intake.audits import audit_delivery
from suanli.intake.catalog import SourceSpec, source_specs
from suanli.intake.delivery import (
    Delivery,
    LoadResult,
    has_current,
    migrate_raw_table,
    prepare_raw_tables,
    store,
)
from suanli.intake.landing import LandingError, LandingResource
from suanli.intake.provenance import deliveries_in_force, whole_metadata, year_metadata
from suanli.intake.readers import reader_for
from suanli.owners import DATA_TEAM
from suanli.quality.suites import warm_up
from suanli.warehouse.resource import WarehouseResource

DELIVERIES_KEY = AssetKey(["raw", "deliveries"])

deliveries_log = AssetSpec(
    DELIVERIES_KEY,
    description="Log of every delivered file (hash, name, size, encoding, rows, archive path); "
    "written by the raw assets as they load.",
    group_name="raw",
    owners=[DATA_TEAM],
)


def raw_asset_key(source_name: str) -> AssetKey:
    return AssetKey(["raw", source_name])


ACCEPTED_CHECK = "delivery_accepted"
KINDS_BY_FORMAT = {"questionnaire": "excel", "telemetry": "parquet"}


def _accepted_check(spec: SourceSpec, results: list[LoadResult]) -> AssetCheckResult:
    quarantined = [result for result in results if result.status == "quarantined"]
    return AssetCheckResult(
        check_name=ACCEPTED_CHECK,
        passed=not quarantined,
        severity=AssetCheckSeverity.ERROR,
        description=(
            f"{len(results)} deliveries checked, none quarantined"
            if not quarantined
            else "; ".join(
                f"{result.file_name} quarantined: {result.problems[0]}"
                + (f" (+{len(result.problems) - 1} more)" if len(result.problems) > 1 else "")
                for result in quarantined
            )
        ),
        metadata={
            "quarantined": MetadataValue.json(
                [
                    {
                        "file": result.file_name,
                        "sha256": result.delivery_id,
                        "archived_path": result.archived_path,
                        "problems": list(result.problems),
                    }
                    for result in quarantined
                ]
            )
        },
    )


def delivery_slots(
    spec: SourceSpec, context: AssetExecutionContext, landing: LandingResource
) -> list[tuple[str | None, str]]:
    """(slot, path under the landing location) of each file this run loads.

    A yearly source has one file per year partition from its `first_year` on (with a
    wildcard, any number: a year's month files, each its own slot); a cumulative list one
    file; a source whose pattern has a wildcard (statistics tables) every matching file, each
    its own slot.
    """
    if spec.partitioned_by_year and spec.is_multi_file:  # e.g. a year's month files
        return [
            (spec.slot_for(key, Path(path).name), path)
            for key in context.partition_keys
            if spec.delivers(key)
            for path in landing.list_files(spec.name, spec.relative_path(key))
        ]
    if spec.partitioned_by_year:
        return [
            (key, spec.relative_path(key)) for key in context.partition_keys if spec.delivers(key)
        ]
    if spec.is_multi_file:
        return [
            (Path(path).name, path) for path in landing.list_files(spec.name, spec.file_pattern)
        ]
    return [(None, spec.relative_path(None))]


def build_raw_asset(spec: SourceSpec, windows: FreshnessWindows) -> AssetsDefinition:
    read = reader_for(spec)

    @asset(
        key=raw_asset_key(spec.name),
        description=spec.description,
        group_name="raw",
        partitions_def=year_partitions if spec.partitioned_by_year else None,
        backfill_policy=BackfillPolicy.single_run() if spec.partitioned_by_year else None,
        kinds={"duckdb", KINDS_BY_FORMAT.get(spec.format, "csv")},
        metadata={"file_pattern": spec.file_pattern, "columns": ", ".join(spec.columns)},
        owners=[DATA_TEAM],
        # intake's code and the source's contract (its columns, their kinds, its audits)
        code_version=code_version("intake", extra=repr(spec)),
        freshness_policy=freshness_policy(windows, spec.name),
        check_specs=[
            AssetCheckSpec(
                ACCEPTED_CHECK,
                asset=raw_asset_key(spec.name),
                description="Every delivery of this run parsed and validated; a failing one "
                "is quarantined (raw.quarantine) and the delivery in force before it stays "
                "current.",
            )
        ],
    )
    def _raw_source(
        context: AssetExecutionContext,
        landing: LandingResource,
        warehouse: WarehouseResource,
    ) -> Iterator[MaterializeResult | AssetCheckResult]:
        warm_up()  # the GX checks after the raw steps need GX: import it meanwhile
        results: list[LoadResult] = []
        slots: list[str | None] = []
        without_delivery: list[str] = []
        with warehouse.connect(what=f"raw/{spec.name}") as connection:
            prepare_raw_tables(connection, spec)
            for line in migrate_raw_table(connection, spec, read):
                context.log.warning(f"raw.{spec.name}, written under an older contract: {line}")
            for slot, relative_path in delivery_slots(spec, context, landing):
                try:
                    fetched = landing.retrieve(relative_path, spec.name)
                except LandingError as error:
                    raise Failure(description=str(error)) from None  # already free of secrets
                delivery = Delivery(spec.name, slot, Path(relative_path).name, fetched.content)
                result = store(
                    connection, spec, delivery, warehouse.archive_path, read, audit_delivery
                )
                results.append(result)
                slots.append(slot)
                if result.status == "quarantined":
                    context.log.error(
                        f"{result.file_name}: quarantined (sha256 {result.delivery_id[:12]}, "
                        f"kept at {result.archived_path}):\n" + "\n".join(result.problems)
                    )
                    # Each statistics file is optional; a year's or a list's file is not.
                    if not spec.is_multi_file and not has_current(connection, spec.name, slot):
                        without_delivery.append(relative_path)
                else:
                    if result.notes:  # hours without a meter reading: told, not alarming
                        context.log.info(
                            f"{result.file_name}: accepted with notes:\n" + "\n".join(result.notes)
                        )
                    context.log.info(
                        f"{landing.describe(relative_path, spec.name)}: {result.status} "
                        f"({result.row_count} rows, {result.encoding}, "
                        f"sha256 {result.delivery_id[:12]}, {fetched.attempts} attempt(s)"
                        + (
                            f", {fetched.checksum_verified} verified"
                            if fetched.checksum_verified
                            else ""
                        )
                        + ")"
                    )
            in_force = deliveries_in_force(connection, spec.name)
        if without_delivery:
            # Nothing good to fall back on: downstream must not run on a hole.
            raise Failure(
                description="delivery rejected and no earlier delivery to keep using: "
                + "; ".join(
                    f"{result.file_name}: {result.problems[0]}"
                    for result in results
                    if result.status == "quarantined"
                ),
                metadata={"without_delivery": MetadataValue.json(without_delivery)},
            )
        if spec.partitioned_by_year:
            for year in context.partition_keys:
                context.add_asset_metadata(
                    year_metadata(spec, year, in_force, slots, results), partition_key=year
                )
            yield MaterializeResult()
        else:
            yield MaterializeResult(metadata=whole_metadata(in_force, slots, results))
        yield _accepted_check(spec, results)

    return _raw_source


def build_raw_assets(manifest: Mapping[str, Any]) -> list[AssetsDefinition]:
    windows = windows_in_force()
    return [build_raw_asset(spec, windows) for spec in source_specs(manifest)]

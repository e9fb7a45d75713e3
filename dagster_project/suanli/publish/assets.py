"""The publish step of write–audit–publish: the audited marts become what BI tools read.

It publishes only the marts of a build whose blocking checks all passed (`suanli.quality.gate`),
whether it runs at the end of that build's run or in a run of its own.
"""

from collections.abc import Mapping
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph

from suanli.code_versions import code_version
from suanli.owners import DATA_TEAM
from suanli.publish.marts import last_publication, marts_fingerprint, publish_marts
from suanli.quality.gate import gating_checks, read_audits, read_base, refusal, unmet_checks
from suanli.transform.assets import load_manifest, translator
from suanli.transform.builds import (
    audited_base_runs,
    latest_marts_build,
    mark_audited,
    record_publication,
)
from suanli.warehouse.resource import WarehouseResource

PUBLISHED_KEY = AssetKey(["published", "marts"])


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


def code_location_graph() -> BaseAssetGraph:
    """The whole asset graph: the run's own job may be a subset (publishing alone) whose graph
    stops at the marts, and `execute_in_process` sets no repository on the context."""
    from suanli.definitions import defs  # here, not above: the definitions import this module

    return defs.get_repository_def().asset_graph


@asset(
    key=PUBLISHED_KEY,
    deps=mart_keys(load_manifest()),
    group_name="published",
    kinds={"duckdb"},
    owners=[DATA_TEAM],
    code_version=code_version("publish/assets.py", "publish/marts.py", "quality/gate.py"),
    description="The marts BI tools read: a separate DuckDB file, replaced atomically by a copy "
    "of the work file's marts, only if the run that built them passed every blocking check on "
    "them and upstream of them. A failed or killed run, or a refused publication, leaves it as "
    "it was.",
)
def published_marts(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    with warehouse.lock("published/marts"):
        with warehouse.connect(read_only=True, what="published/marts") as connection:
            build = latest_marts_build(connection)
            fingerprint = marts_fingerprint(connection, build.deliveries) if build else ""
            base_runs = audited_base_runs(connection, build) if build else []
        graph = code_location_graph()
        checks = gating_checks(graph, PUBLISHED_KEY)
        unmet = []
        if build:
            audits = read_audits(context.instance, build.run_id, checks)
            base = read_base(context.instance, graph, base_runs, audits)
            unmet = unmet_checks(build.run_id, checks, audits, base)
        if build is None or unmet:
            raise Failure(
                description=refusal(str(warehouse.file), build, unmet),
                metadata={
                    "built_by_run": build.run_id if build else "",
                    "unmet_checks": MetadataValue.json([item.describe() for item in unmet]),
                },
            )
        context.log.info(
            f"all {len(checks)} blocking checks passed for the build of run {build.run_id}"
            + (f" (on the audited build of run {build.base})" if base_runs else "")
        )
        with warehouse.connect(what="published/marts") as connection:
            mark_audited(connection, build.run_id)
        previous = last_publication(warehouse.published_path)
        if previous is not None and previous["content_sha256"] == fingerprint:
            # Same rows, same deliveries: the file readers have stays byte for byte as it is.
            context.log.info(
                f"marts unchanged since the publication of {previous['published_at']} "
                f"(run {previous['run_id']}): {warehouse.published_path} left as it is"
            )
            return MaterializeResult(
                metadata={
                    "path": MetadataValue.path(str(warehouse.published_path)),
                    "unchanged": True,
                    "published_at": str(previous["published_at"]),
                    "built_by_run": build.run_id,
                    "blocking_checks_passed": len(checks),
                    "content_sha256": fingerprint,
                }
            )
        result = publish_marts(
            warehouse.file,
            warehouse.published_path,
            run_id=context.run_id,
            deliveries=build.deliveries,
            built_by_run=build.run_id,
            fingerprint=fingerprint,
        )
        with warehouse.connect(what="published/marts") as connection:
            record_publication(
                connection,
                run_id=context.run_id,
                published_at=result.published_at,
                build=build,
                tables=result.tables,
            )
    context.log.info(
        f"published {len(result.tables)} tables and {len(result.views)} views to {result.path}"
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "published_at": result.published_at.isoformat(),
            "built_by_run": build.run_id,
            "blocking_checks_passed": len(checks),
            "rows": MetadataValue.json(result.tables),
            "views": ", ".join(result.views),
            "size_bytes": result.size_bytes,
            "deliveries": len(build.deliveries),
            "unchanged": False,
            "content_sha256": fingerprint,
        }
    )

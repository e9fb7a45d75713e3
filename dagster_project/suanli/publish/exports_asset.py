"""The marts as files for people without a SQL client: Parquet per mart and one Excel workbook,
left as they are when nothing they are made from has changed."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    DataVersion,
    MaterializeResult,
    MetadataValue,
    asset,
)

from suanli.code_versions import code_version
from suanli.owners import DATA_TEAM
from suanli.publish.assets import PUBLISHED_KEY
from suanli.publish.docs_site import url_for
from suanli.publish.exports import (
    WORKBOOK_NAME,
    column_names_zh,
    export_marts,
    exports_fingerprint,
    load_manifest,
    parquet_only,
    row_counts,
)
from suanli.publish.stamps import build_unless_current
from suanli.publish.workbook_guide import workbook_guide
from suanli.settings import export_dir
from suanli.warehouse.resource import WarehouseResource

EXPORTS_KEY = AssetKey(["exports", "marts"])


def _metadata(out_dir: Path, details: dict, fingerprint: str, unchanged: bool) -> dict:
    return {
        "directory": MetadataValue.path(str(out_dir)),
        "workbook": MetadataValue.path(str(out_dir / WORKBOOK_NAME)),
        "url": MetadataValue.url(url_for("exports", out_dir)),
        "workbook_url": MetadataValue.url(url_for("exports", out_dir / WORKBOOK_NAME)),
        "rows": MetadataValue.json(details["rows"]),
        "files": MetadataValue.json(details["files"]),
        "unchanged": unchanged,
        "inputs_sha256": fingerprint,
    }


@asset(
    key=EXPORTS_KEY,
    deps=[PUBLISHED_KEY],
    group_name="exports",
    kinds={"parquet", "excel"},
    owners=[DATA_TEAM],
    code_version=code_version("publish/exports_asset.py", "publish/exports.py"),
    description="Every mart as `<mart>.parquet` and, but for row-level marts (lineage, "
    "contributions), as a sheet of `suanli_marts.xlsx` (a 说明 About sheet first: data note, "
    "publication, linked sheets, every column in 中文 and English, provenance labels; sheets "
    "in the order of the dbt exposure suanli_marts_workbook; Chinese "
    "column headers from the dbt docs, frozen header row, scores to two decimals), in "
    "SUANLI_EXPORT_DIR "
    "(default data/exports), from the published marts. Each file is replaced whole, never "
    "left half-written. Not written again while the marts' content, the exports' code, "
    "the dbt docs the workbook quotes and the sheets left out are those of the files in "
    "place (their `.inputs.json`).",
)
def marts_exports(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    out_dir = export_dir()
    manifest = load_manifest()
    names, left_out = column_names_zh(manifest), parquet_only(manifest)
    guide = workbook_guide(manifest)
    with warehouse.connect_published(what="exports/marts") as connection:
        fingerprint = exports_fingerprint(
            connection, names, left_out=left_out, guide=guide, extra_code=[Path(__file__)]
        )

        def export() -> tuple[list[Path], dict]:
            files = export_marts(
                connection, out_dir, column_names=names, left_out=left_out, guide=guide
            )
            sizes = {path.name: path.stat().st_size for path in files}
            return files, {"rows": row_counts(connection), "files": sizes}

        details, unchanged = build_unless_current(out_dir, fingerprint, export)
    context.log.info(
        f"exports inputs unchanged (fingerprint {fingerprint[:12]}): {out_dir} left as they are"
        if unchanged
        else f"exported {len(details['rows'])} marts to {out_dir}"
    )
    return MaterializeResult(
        metadata=_metadata(out_dir, details, fingerprint, unchanged=unchanged),
        data_version=DataVersion(fingerprint),
    )

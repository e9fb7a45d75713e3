"""The marts as files for people without a SQL client: Parquet per mart and one Excel workbook."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from suanli.assets.publish import PUBLISHED_KEY
from suanli.exports import WORKBOOK_NAME, export_marts, row_counts
from suanli.paths import export_dir
from suanli.resources.warehouse import WarehouseResource

EXPORTS_KEY = AssetKey(["exports", "marts"])


@asset(
    key=EXPORTS_KEY,
    deps=[PUBLISHED_KEY],
    group_name="exports",
    kinds={"parquet", "excel"},
    description="Every mart as `<mart>.parquet` and as a sheet of `suanli_marts.xlsx` (Chinese "
    "column headers from the dbt docs, frozen header row), in SUANLI_EXPORT_DIR "
    "(default data/exports), from the published marts. Each file is replaced whole, never "
    "left half-written.",
)
def marts_exports(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    out_dir = export_dir()
    with warehouse.connect_published(what="exports/marts") as connection:
        files = export_marts(connection, out_dir)
        rows = row_counts(connection)
    context.log.info(f"exported {len(rows)} marts to {out_dir}")
    return MaterializeResult(
        metadata={
            "directory": MetadataValue.path(str(out_dir)),
            "workbook": MetadataValue.path(str(out_dir / WORKBOOK_NAME)),
            "rows": MetadataValue.json(rows),
            "files": MetadataValue.json({path.name: path.stat().st_size for path in files}),
        }
    )

"""The blue-book report (HTML page and PNG charts) built from the marts after every run."""

import os
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from suanli.assets.publish import PUBLISHED_KEY
from suanli.paths import resolve_from_repo
from suanli.report import build_report
from suanli.resources.warehouse import WarehouseResource

REPORT_KEY = AssetKey(["report", "blue_book"])
DEFAULT_REPORT_DIR = "data/report"


def report_dir() -> Path:
    """Where the report is written: `SUANLI_REPORT_DIR`, else `data/report` under the repo."""
    return resolve_from_repo(os.environ.get("SUANLI_REPORT_DIR") or DEFAULT_REPORT_DIR)


def top10_markdown(top10: pd.DataFrame) -> str:
    """The composite Top 10 as a markdown table (Dagster renders it in the asset's metadata)."""
    lines = ["| 排名 | 省份 | 得分 | 较上年 |", "|---:|---|---:|---:|"]
    for row in top10.itertuples():
        change = "—" if pd.isna(row.rank_change) else f"{int(row.rank_change):+d}"
        lines.append(f"| {int(row.rank)} | {row.province} | {row.score:.1f} | {change} |")
    return "\n".join(lines)


@asset(
    key=REPORT_KEY,
    deps=[PUBLISHED_KEY],
    group_name="report",
    kinds={"html", "png"},
    description="Static zh-CN report of the latest year, as the blue books show it: Top 10 per "
    "node, Top 10 across years, rack and intelligent-compute shares, utilisation, city Top 30, "
    "a province map and the index against GDP. Readable offline (fonts embedded). Built from "
    "the published marts.",
)
def blue_book(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    out_dir = report_dir()
    with warehouse.connect_published(what="report/blue_book") as connection:
        result = build_report(connection, out_dir)
    context.log.info(f"report of {result.year}: {len(result.charts)} charts in {out_dir}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.html)),
            "url": MetadataValue.url(result.html.resolve().as_uri()),
            "charts": len(result.charts),
            "year": result.year,
            "gdp_delivered": result.gdp_fit is not None,
            "top10": MetadataValue.md(top10_markdown(result.top10)),
        }
    )

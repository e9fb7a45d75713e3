"""The blue-book report (HTML page and PNG charts) built from the marts after every run, and
left as it is when nothing it is made from has changed."""

from pathlib import Path

import pandas as pd
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
from suanli.publish.stamps import build_unless_current
from suanli.report import build_report, find_cjk_font
from suanli.report.build import PAGE, PDF
from suanli.report.inputs import report_fingerprint
from suanli.report.pdf import chromium_identity, find_chromium
from suanli.settings import report_dir
from suanli.warehouse.resource import WarehouseResource

REPORT_KEY = AssetKey(["report", "blue_book"])
SYSTEM = "comprehensive_v4"


def top10_markdown(top10: pd.DataFrame) -> str:
    """The composite Top 10 as a markdown table (Dagster renders it in the asset's metadata)."""
    lines = ["| 排名 | 省份 | 得分 | 较上年 |", "|---:|---|---:|---:|"]
    for row in top10.itertuples():
        change = "—" if pd.isna(row.rank_change) else f"{int(row.rank_change):+d}"
        lines.append(f"| {int(row.rank)} | {row.province} | {row.score:.1f} | {change} |")
    return "\n".join(lines)


def _metadata(out_dir: Path, details: dict, fingerprint: str, unchanged: bool) -> dict:
    html = out_dir / PAGE
    return {
        "path": MetadataValue.path(str(html)),
        "url": MetadataValue.url(url_for("report", html)),
        "pdf": MetadataValue.path(str(out_dir / PDF)),
        "systems": details["systems"],
        "charts": details["charts"],
        # drawn by this run; the others were in place, drawn from the same data
        "charts_drawn": 0 if unchanged else details["charts_drawn"],
        "year": details["year"],
        "gdp_delivered": details["gdp_delivered"],
        "top10": MetadataValue.md(details["top10"]),
        "unchanged": unchanged,
        "inputs_sha256": fingerprint,
    }


@asset(
    key=REPORT_KEY,
    deps=[PUBLISHED_KEY],
    group_name="report",
    kinds={"html", "png", "pdf"},
    owners=[DATA_TEAM],
    code_version=code_version("report"),
    description="Static zh-CN report of the latest year, as the blue books show it: every "
    "index system's indicator tree and weights, the national totals and their growth, the four "
    "regions and the national hub nodes, then a section per index system (Top 10s on one axis, "
    "Top 10 across years, a map), rack and intelligent-compute shares, utilisation, city Top "
    "30 and the index against GDP; and its PDF edition (report.pdf, printed by headless "
    "Chromium). Readable offline (fonts embedded). Built from the published marts; not drawn "
    "again while the marts' content, the report's code, fonts and browser are those of the "
    "report in place (its `.inputs.json`).",
)
def blue_book(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    out_dir = report_dir()
    font = find_cjk_font()
    chromium = find_chromium()
    with warehouse.connect_published(what="report/blue_book") as connection:
        fingerprint = report_fingerprint(
            connection,
            font,
            system=SYSTEM,
            year=None,
            extra_code=[Path(__file__)],
            printer=chromium_identity(chromium),
        )

        def draw() -> tuple[list[Path], dict]:
            result = build_report(connection, out_dir, system=SYSTEM, font=font, pdf=True)
            # The PDF is one of the files the stamp lists: deleted or changed, all is drawn
            # again, as for a chart.
            return result.files, {
                "systems": len(result.systems),
                "charts": len(result.charts),
                "charts_drawn": len(result.drawn),
                "year": result.year,
                "gdp_delivered": result.gdp_fit is not None,
                "top10": top10_markdown(result.top10),
            }

        details, unchanged = build_unless_current(out_dir, fingerprint, draw)
    context.log.info(
        f"report inputs unchanged (fingerprint {fingerprint[:12]}): {out_dir} left as it is"
        if unchanged
        else f"report of {details['year']}: {details['charts']} charts in {out_dir} "
        f"({details['charts_drawn']} drawn, the others unchanged)"
    )
    return MaterializeResult(
        metadata=_metadata(out_dir, details, fingerprint, unchanged=unchanged),
        data_version=DataVersion(fingerprint),
    )

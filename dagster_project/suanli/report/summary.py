"""The national summary (totals and growth) and the regional comparison (the four economic
regions and the national hub nodes) of the report's system and year."""

from __future__ import annotations

import duckdb
import pandas as pd

from suanli.report import queries
from suanli.report.page import Section, Subheading, TableBlock, TextBlock, table_from_frame

REGION_ZH = {"east": "东部", "central": "中部", "west": "西部", "northeast": "东北"}
SOURCE_ZH = {"registry": "登记库全国汇总", "sum_of_provinces": "31 省之和"}


def amount_text(value: object) -> str:
    """Whole numbers without decimals (1,932 个), others to two places (787.90 EFLOPS)."""
    if value is None or pd.isna(value):
        return "—"
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() or abs(number) >= 100_000 else f"{number:,.2f}"


def growth_text(growth: object) -> str:
    if growth is None or pd.isna(growth):
        return "—"
    return f"{float(growth):+.1f}"


def national_section(
    connection: duckdb.DuckDBPyConnection, system: str, year: int, headline: tuple[str, ...]
) -> Section:
    """Every additive indicator's national total, the year before and the growth; the
    `headline` indicators said in a sentence first."""
    section = Section("全国概况")
    totals = queries.national_totals(connection, system, year)
    if totals.empty:
        section.blocks.append(TextBlock(f"{year}年没有全国总量数据（marts.fct_national_shares）。"))
        return section
    by_code = totals.set_index("indicator_code")
    said = []
    for code in headline:
        if code in by_code.index:
            row = by_code.loc[code]
            growth = growth_text(row["growth_pct"])
            said.append(
                f"{row['indicator']} {amount_text(row['value'])} {row['unit']}"
                + ("" if growth == "—" else f"，同比 {growth}%")
            )
    if said:
        section.blocks.append(TextBlock(f"{year}年全国" + "；".join(said) + "。"))
    table = pd.DataFrame(
        {
            "指标": totals["indicator"],
            "单位": totals["unit"],
            f"{year - 1}年": [amount_text(v) for v in totals["previous_value"]],
            f"{year}年": [amount_text(v) for v in totals["value"]],
            "同比增长（%）": [growth_text(g) for g in totals["growth_pct"]],
            "全国总量来源": [SOURCE_ZH.get(s, s) for s in totals["national_source"]],
        }
    )
    caption = f"{year}年 全国总量与同比增长（指数体系 {system}）"
    section.blocks.append(table_from_frame(caption, table, {}))
    return section


def regional_section(
    connection: duckdb.DuckDBPyConnection, system: str, year: int, indicators: tuple[str, ...]
) -> Section:
    """The four economic regions, then the national hub nodes (东数西算): the composite's
    mean and best score and each region's share of the national totals of `indicators`."""
    section = Section("区域比较")
    labels = {code: queries.indicator_label(connection, system, code) for code in indicators}
    regions = queries.group_comparison(connection, system, year, "region", indicators)
    regions["order"] = [
        list(REGION_ZH).index(r) if r in REGION_ZH else 9 for r in regions["grouping"]
    ]
    regions = regions.sort_values(["order", "grouping"]).drop(columns="order")
    regions["grouping"] = [REGION_ZH.get(r, r) for r in regions["grouping"]]
    section.blocks.append(Subheading("四大经济区域（东部、中部、西部、东北）"))
    section.blocks.append(
        _group_table(f"{year}年 四大经济区域比较", "区域", regions, labels, indicators)
    )
    hubs = queries.group_comparison(connection, system, year, "hub_node", indicators)
    section.blocks.append(Subheading("国家枢纽节点"))
    section.blocks.append(
        _group_table(f"{year}年 国家枢纽节点比较", "枢纽节点", hubs, labels, indicators)
    )
    return section


def _group_table(
    caption: str,
    name: str,
    frame: pd.DataFrame,
    labels: dict[str, str],
    indicators: tuple[str, ...],
) -> TableBlock:
    table = pd.DataFrame(
        {
            name: frame["grouping"],
            "省份数": frame["provinces"],
            "综合指数平均得分": frame["mean_score"],
            "最高得分": frame["best_score"],
            **{f"{labels[code].split('（')[0]}占全国（%）": frame[code] for code in indicators},
            "省份（按综合排名）": frame["members"],
        }
    )
    formats = {"综合指数平均得分": "{:.1f}", "最高得分": "{:.1f}"}
    formats |= {f"{labels[code].split('（')[0]}占全国（%）": "{:.1f}" for code in indicators}
    return table_from_frame(caption, table, formats)

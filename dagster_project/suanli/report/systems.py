"""One section per index system, drawn from its definition in the marts (no block is written
for a particular system): its Top 10s on one score axis, the Top 10 across years, a map, and
the indicator tree with its weights for the front of the report."""

from __future__ import annotations

import math
from functools import partial

import duckdb
import pandas as pd

from suanli.report import charts, choropleth, queries
from suanli.report.builder import Builder
from suanli.report.page import (
    FigureBlock,
    FigureGrid,
    Section,
    Subheading,
    TableBlock,
    TextBlock,
    table_across_years,
)
from suanli.report.queries import IndexSystem

PER_YEAR_MAX = 100.0
BASE_YEAR_STEP = 50.0  # a base-year system's axis ends at its best score rounded up to this
LEVEL_ZH = {
    "composite": "综合指数",
    "primary": "一级指标",
    "secondary": "二级指标",
    "tertiary": "三级指标",
}
STANDARDISATION_ZH = {
    "minmax_per_year": "逐年极差标准化（每年 0–100）",
    "minmax_base_year": "基年极差标准化（以 {base} 年为基准，可超过 100，历年可比）",
}


def axis_max(system: IndexSystem, frames: list[pd.DataFrame]) -> float:
    """0–100 for a per-year system; a base-year system's own best score among `frames`,
    rounded up, so every chart of the system reads on one scale."""
    if not system.base_year_indexed:
        return PER_YEAR_MAX
    best = max((float(frame["score"].max()) for frame in frames if not frame.empty), default=0)
    return max(PER_YEAR_MAX, math.ceil(best / BASE_YEAR_STEP) * BASE_YEAR_STEP)


def system_year(
    connection: duckdb.DuckDBPyConnection, system: IndexSystem, year: int
) -> int | None:
    """The system's latest year with scores not after the report's year."""
    years = queries.years_available(connection, system.code, year, system.unit_level)
    return years[-1] if years else None


def describe(system: IndexSystem, year: int) -> str:
    method = STANDARDISATION_ZH.get(system.standardisation, system.standardisation)
    parts = [
        f"指数体系 {system.code}；评价单元：{'城市' if system.unit_level == 'city' else '省份'}",
        f"年份：{year}年",
        f"标准化：{method.format(base=system.base_year)}",
    ]
    if system.report:
        parts.append(f"来源报告：{system.report}")
    if system.is_approximation:
        parts.append("本体系为对已发布体系的近似，得分不是原报告的得分")
    return "；".join(parts) + "。"


def system_section(
    builder: Builder,
    connection: duckdb.DuckDBPyConnection,
    system: IndexSystem,
    year: int,
    headline: bool,
) -> tuple[Section, pd.DataFrame]:
    """The system's section and its composite Top 10. The headline system (the report's
    own) shows each primary and secondary node's Top 10 as a chart of its own; every other
    system its primaries in one panel grid. Keys of the headline system's charts are bare
    (`composite_top10`), the others' carry the system code."""
    level = system.unit_level
    nodes = queries.report_nodes(connection, system.code)
    composite = nodes[0]
    primaries = [n for n in nodes if n.level == "primary"]
    secondaries = [n for n in nodes if n.level == "secondary"] if headline else []
    tops = {
        node.code: queries.top_units(connection, system.code, node.code, year, unit_level=level)
        for node in [composite, *primaries, *secondaries]
    }
    top = axis_max(system, list(tops.values()))
    builder.axis_max[system.code] = top
    prefix = "" if headline else f"{system.code}_"
    name = composite.name_zh if headline else system.name_zh
    section = Section(system.name_zh, [TextBlock(describe(system, year))])

    title = f"{year}年 {name} Top 10"
    figure = partial(charts.top_bar, tops[composite.code], title, axis_max=top)
    section.blocks.append(
        builder.chart(f"{prefix}composite_top10", title, figure, tops[composite.code])
    )
    across = queries.top_across_years(
        connection, system.code, composite.code, year, unit_level=level
    )
    section.blocks.append(table_across_years(f"{name} Top 10 历年排名与得分", across))
    section.blocks.append(_map(builder, connection, system, composite.code, year, prefix, name))

    section.blocks.append(Subheading("分指数（一级指标）"))
    if headline:
        for node in primaries:
            title = f"{year}年 {node.name_zh}分指数 Top 10"
            figure = partial(charts.top_bar, tops[node.code], title, axis_max=top)
            section.blocks.append(
                builder.chart(f"{node.code}_top10", title, figure, tops[node.code])
            )
            across = queries.top_across_years(connection, system.code, node.code, year)
            caption = f"{node.name_zh}分指数 Top 10 历年排名与得分"
            section.blocks.append(table_across_years(caption, across))
    elif primaries:
        title = f"{year}年 {system.name_zh} 各分指数 Top 10"
        panels = [(f"{node.name_zh}分指数", tops[node.code]) for node in primaries]
        figure = partial(charts.top_panel, panels, title, top)
        frame = pd.concat([tops[n.code].assign(node=n.name_zh) for n in primaries])
        section.blocks.append(builder.chart(f"{prefix}primaries", title, figure, frame))
    if secondaries:
        section.blocks.append(Subheading("二级指标"))
        grid: list[FigureBlock] = []
        for node in secondaries:
            title = f"{year}年 {node.parent_name_zh}·{node.name_zh} Top 10"
            figure = partial(charts.top_bar, tops[node.code], title, axis_max=top)
            grid.append(builder.chart(f"{node.code}_top10", title, figure, tops[node.code]))
        section.blocks.append(FigureGrid(grid))
    return section, tops[composite.code]


def _map(
    builder: Builder,
    connection: duckdb.DuckDBPyConnection,
    system: IndexSystem,
    node: str,
    year: int,
    prefix: str,
    name: str,
) -> FigureBlock:
    """Provinces coloured by score; a city system's cities as points (a province aggregate
    would be a number the index does not publish, and would hide the cities it ranks)."""
    scores = queries.node_scores(connection, system.code, node, [year], system.unit_level)
    if system.unit_level == "city":
        points = queries.city_points(connection, scores["province_code"].tolist())
        frame = scores.merge(points, on="province_code", how="inner")
        title = f"{year}年 {name} 城市分布"
        figure = partial(choropleth.city_map, frame, title)
        key = f"{prefix}map"
    else:
        frame = scores
        title = f"{year}年 {name} 省级分布"
        top = builder.axis_max[system.code]
        figure = partial(
            choropleth.choropleth, frame, title, colour_max=top, score_name=f"{name}得分"
        )
        key = "composite_map" if not prefix else f"{prefix}map"
    return builder.chart(key, title, figure, frame)


def weights_section(connection: duckdb.DuckDBPyConnection, systems: list[IndexSystem]) -> Section:
    """Every system's tree of nodes and indicators with its local and global AHP weights,
    as the blue books open with their indicator system."""
    section = Section("指标体系与权重")
    section.blocks.append(
        TextBlock(
            "局部权重为节点在同级兄弟节点中的权重（层次分析法判断矩阵的主特征向量），"
            "全局权重为其在综合指数中的权重（自上而下各级局部权重之积）。"
        )
    )
    for system in systems:
        rows = queries.weight_tree(connection, system.code)
        indicators = sum(row.level == "tertiary" for row in rows)
        section.blocks.append(
            Subheading(f"{system.name_zh}（{system.code}，{indicators} 个三级指标）")
        )
        section.blocks.append(weight_table(f"{system.name_zh} 指标体系与权重", rows))
    return section


def weight_table(caption: str, rows: list[queries.WeightRow]) -> TableBlock:
    header = [[("指标", 1), ("层级", 1), ("单位", 1), ("局部权重", 1), ("全局权重", 1)]]
    body = [
        [
            "\u3000" * row.depth + row.name_zh,
            LEVEL_ZH.get(row.level, row.level),
            "" if row.unit in (None, "ratio") else row.unit,
            "—" if row.local_weight is None else f"{row.local_weight:.3f}",
            "—" if row.global_weight is None else f"{row.global_weight:.4f}",
        ]
        for row in rows
    ]
    return TableBlock(caption, header, body)

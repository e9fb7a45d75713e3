"""The 国家统计局 分省年度数据 export (data.stats.gov.cn), as CSV, .xlsx or .xls:

    数据库：分省年度数据
    指标：地区生产总值(亿元)
    时间：最近20年
    地区,2024年,2023年,…
    北京市,49670.2,47353.7,…          (31 provinces, full names; blank = no data)
    注：…
    数据来源：国家统计局

One indicator per file, named with its unit in the `指标：` line; years are the columns.
"""

from __future__ import annotations

from suanli.intake.errors import SCHEMA_CHANGE, DeliveryError, Problem
from suanli.intake.parsers.cells import parse_year, split_label
from suanli.intake.parsers.common import declared_years, read_titles, sections, width_problems
from suanli.intake.parsers.frame import Cell, StatisticsDelivery, long_frame
from suanli.intake.parsers.table import RawTable

TITLE_KEYS = ("数据库", "指标")
REGION_HEADER = "地区"


def looks_like(table: RawTable) -> bool:
    """An NBS export opens with its `数据库：` or `指标：` title line."""
    if not table.rows:
        return False
    first = table.rows[0].cells[0].strip()
    return any(first.startswith((f"{key}：", f"{key}:")) for key in TITLE_KEYS)


def parse(table: RawTable) -> StatisticsDelivery:
    parts = sections(table)
    title, title_rows = read_titles(parts.titles)
    name = table.file_name
    problems: list[Problem] = []
    if "指标" not in title:
        problems.append(
            Problem(
                SCHEMA_CHANGE, name, parts.titles[0].number if parts.titles else None, None, None,
                "a title line 指标：<indicator>(<unit>) before the header",
            )
        )  # fmt: skip
    header = parts.header.number
    if parts.columns[0] != REGION_HEADER:
        problems.append(
            Problem(
                SCHEMA_CHANGE, name, header, parts.columns[0], None,
                f'the first column "{REGION_HEADER}" (NBS 分省年度数据 layout)',
            )
        )  # fmt: skip
    years = {index: parse_year(column) for index, column in enumerate(parts.columns)}
    problems += [
        Problem(SCHEMA_CHANGE, name, header, column, None, "a year column such as 2024年")
        for index, column in enumerate(parts.columns[1:], start=1)
        if years[index] is None
    ]
    problems += width_problems(table, parts)
    if problems:
        raise DeliveryError(problems)

    statistic, unit = split_label(title["指标"])
    cells = [
        Cell(
            region=row.cell(0),
            region_code=None,
            year=years[index],
            statistic=statistic,
            unit=unit,
            value_text=row.cell(index),
            source_row=row.number,
            source_column=column,
        )
        for row in parts.body
        for index, column in enumerate(parts.columns)
        if index > 0
    ]
    return StatisticsDelivery(
        file_name=name,
        layout="nbs_export",
        format=table.format,
        frame=long_frame(cells),
        header_row=header,
        region_column=parts.columns[0],
        encoding=table.encoding,
        sheet=table.sheet,
        statistic_title_row=title_rows["指标"],
        title=title,
        title_rows=title_rows,
        footnotes=parts.footnotes,
        declared_years=declared_years(title.get("时间")),
    )

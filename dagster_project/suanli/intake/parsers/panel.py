"""The NBS tidy panel (分省…_多年期_面板数据.csv), UTF-8 with BOM:

    省辖市代码,省份,年份,地区生产总值 (亿元),第一产业增加值 (亿元),…
    110000000000,北京市,2025,,,…        (a year not yet published: every value empty)
    110000000000,北京市,2024,49843.1,116.4,…

One row per province and year; every other column is an indicator with its unit in brackets.
"""

from __future__ import annotations

from suanli.intake.errors import SCHEMA_CHANGE, YEAR_OUT_OF_RANGE, DeliveryError, Problem
from suanli.intake.parsers.cells import normalise, parse_year, split_label
from suanli.intake.parsers.common import sections, width_problems
from suanli.intake.parsers.frame import Cell, StatisticsDelivery, long_frame
from suanli.intake.parsers.table import RawTable

KEY_COLUMNS = ("省辖市代码", "省份", "年份")
LAYOUT = "省辖市代码, 省份, 年份, <indicator> (<unit>), …"


def looks_like(table: RawTable) -> bool:
    """Two of the three key columns in place is a panel (a renamed third is a schema change)."""
    if not table.rows:
        return False
    header = [normalise(cell) for cell in table.rows[0].cells[: len(KEY_COLUMNS)]]
    return sum(1 for got, want in zip(header, KEY_COLUMNS, strict=False) if got == want) >= 2


def parse(table: RawTable) -> StatisticsDelivery:
    parts = sections(table)
    name, header = table.file_name, parts.header.number
    keys = (*parts.columns[:3], "", "", "")[:3]  # a header cut short reads as blank names
    problems = [
        Problem(
            SCHEMA_CHANGE, name, header, got or None, None,
            f'the column "{want}" in position {position} (NBS panel: {LAYOUT})',
        )
        for position, (got, want) in enumerate(zip(keys, KEY_COLUMNS, strict=True), start=1)
        if normalise(got) != normalise(want)
    ]  # fmt: skip
    problems += width_problems(table, parts)
    if problems:
        raise DeliveryError(problems)

    statistics = {i: split_label(column) for i, column in enumerate(parts.columns) if i >= 3}
    cells: list[Cell] = []
    notes: list[Problem] = []
    for row in parts.body:
        year = parse_year(row.cell(2))
        if year is None:
            notes.append(
                Problem(
                    YEAR_OUT_OF_RANGE, name, row.number, parts.columns[2], row.cell(2),
                    "a four-digit year such as 2024",
                )
            )  # fmt: skip
        cells += [
            Cell(
                region=row.cell(1),
                region_code=row.cell(0),
                year=year,
                statistic=statistic,
                unit=unit,
                value_text=row.cell(index),
                source_row=row.number,
                source_column=parts.columns[index],
            )
            for index, (statistic, unit) in statistics.items()
        ]
    return StatisticsDelivery(
        file_name=name,
        layout="panel",
        format=table.format,
        frame=long_frame(cells),
        header_row=header,
        region_column=parts.columns[1],
        code_column=parts.columns[0],
        year_column=parts.columns[2],
        encoding=table.encoding,
        sheet=table.sheet,
        footnotes=parts.footnotes,
        problems=tuple(notes),
    )

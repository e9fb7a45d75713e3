"""Generic statistics tables: a header row naming a region column and either

- a year column (`年份`) and one column per statistic: `互联网宽带接入端口(万个)`, or the bare
  name with its unit in a unit row directly under the header (`,,万个,亿元`), or
- year columns (`2024年`, `2024`) with the statistic in a `指标` column (unit in a `单位`
  column or in brackets) or, for a one-statistic file, in a title line above the header.

Optional: a code column (`行政区划代码`), title lines above the header, footnotes (`注：`) below.
"""

from __future__ import annotations

from suanli.intake.errors import (
    EMPTY_FILE,
    SCHEMA_CHANGE,
    YEAR_OUT_OF_RANGE,
    DeliveryError,
    Problem,
)
from suanli.intake.parsers.cells import normalise, parse_number, parse_year, split_label
from suanli.intake.parsers.common import (
    CODE_HEADERS,
    REGION_HEADERS,
    STATISTIC_HEADERS,
    UNIT_HEADERS,
    YEAR_HEADERS,
    Sections,
    declared_years,
    find_column,
    read_titles,
    sections,
    unknown_format,
    width_problems,
)
from suanli.intake.parsers.frame import Cell, StatisticsDelivery, long_frame
from suanli.intake.parsers.table import RawRow, RawTable

UNIT_ROW_LABELS = frozenset(normalise(label) for label in ("", "单位", "计量单位", "unit", "units"))
TITLE_STATISTIC_KEYS = ("指标", "标题")


def parse(table: RawTable) -> StatisticsDelivery:
    parts = sections(table)
    columns, name = parts.columns, table.file_name
    title, title_rows = read_titles(parts.titles)
    region = find_column(columns, REGION_HEADERS)
    if region is None:
        raise unknown_format(table, parts.header.number)
    code = find_column(columns, CODE_HEADERS)
    year = find_column(columns, YEAR_HEADERS)
    statistic = find_column(columns, STATISTIC_HEADERS)
    unit = find_column(columns, UNIT_HEADERS)
    special = {i for i in (region, code, year, statistic, unit) if i is not None}
    candidates = [i for i in range(len(columns)) if i not in special]

    unit_row = _unit_row(parts, region, year, candidates)
    body = parts.body[1:] if unit_row is not None else parts.body
    if not body:
        where = f"the unit row (row {unit_row.number})" if unit_row else "the header"
        raise DeliveryError(
            [Problem(EMPTY_FILE, name, None, None, None, f"data rows after {where}")]
        )
    if year is not None:
        values = candidates
    else:
        values = [i for i in candidates if parse_year(columns[i]) is not None]
        if not values:
            raise unknown_format(table, parts.header.number)
    problems = [
        Problem(
            SCHEMA_CHANGE, name, parts.header.number, columns[i] or None, None,
            "a year column such as 2024年 (or a 年份 column with one column per statistic)",
        )
        for i in candidates
        if i not in values and any(row.cell(i).strip() for row in body)
    ]  # fmt: skip
    title_key = next((key for key in TITLE_STATISTIC_KEYS if key in title), None)
    if year is None and statistic is None and title_key is None:
        raise unknown_format(table, parts.header.number)
    problems += width_problems(table, parts)
    if problems:
        raise DeliveryError(problems)

    title_label = title[title_key] if title_key else ""
    cells: list[Cell] = []
    notes: list[Problem] = []
    for row in body:
        row_year = parse_year(row.cell(year)) if year is not None else None
        if year is not None and row_year is None:
            notes.append(
                Problem(
                    YEAR_OUT_OF_RANGE, name, row.number, columns[year], row.cell(year),
                    "a four-digit year such as 2024",
                )
            )  # fmt: skip
        for i in values:
            if statistic is not None:
                label = row.cell(statistic)
            elif year is not None:
                label = columns[i]
            else:
                label = title_label
            stat_name, stat_unit = split_label(label)
            cells.append(
                Cell(
                    region=row.cell(region),
                    region_code=row.cell(code) if code is not None else None,
                    year=row_year if year is not None else parse_year(columns[i]),
                    statistic=stat_name,
                    unit=_unit(row, i, unit, unit_row, stat_unit),
                    value_text=row.cell(i),
                    source_row=row.number,
                    source_column=columns[i],
                )
            )
    by_title = year is None and statistic is None
    return StatisticsDelivery(
        file_name=name,
        layout="wide",
        format=table.format,
        frame=long_frame(cells),
        header_row=parts.header.number,
        region_column=columns[region],
        encoding=table.encoding,
        sheet=table.sheet,
        code_column=columns[code] if code is not None else None,
        year_column=columns[year] if year is not None else None,
        statistic_column=columns[statistic] if statistic is not None else None,
        unit_column=columns[unit] if unit is not None else None,
        unit_row=unit_row.number if unit_row is not None else None,
        statistic_title_row=title_rows[title_key] if by_title and title_key else None,
        title=title,
        title_rows=title_rows,
        footnotes=parts.footnotes,
        declared_years=declared_years(title.get("时间")),
        problems=tuple(notes),
    )


def _unit_row(
    parts: Sections, region: int, year: int | None, candidates: list[int]
) -> RawRow | None:
    """The row right under the header is a unit row when it names no region or year, fills
    some value column, and holds no number."""
    if not parts.body:
        return None
    row = parts.body[0]
    if normalise(row.cell(region)) not in UNIT_ROW_LABELS:
        return None
    if year is not None and row.cell(year).strip():
        return None
    filled = [row.cell(i) for i in candidates if row.cell(i).strip()]
    if not filled or any(parse_number(cell) is not None for cell in filled):
        return None
    return row


def _unit(
    row: RawRow, column: int, unit_column: int | None, unit_row: RawRow | None, label: str | None
) -> str | None:
    """The unit column first, then the unit row, then the brackets of the statistic's label."""
    if unit_column is not None and row.cell(unit_column).strip():
        return row.cell(unit_column)
    if unit_row is not None and unit_row.cell(column).strip():
        return unit_row.cell(column)
    return label

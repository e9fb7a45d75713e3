"""The long frame every statistics layout is parsed into, and the delivery that carries it.

One row per value cell: which region, year and statistic it belongs to, all as delivered (outer
whitespace trimmed), the cell's text and its number, and where the cell sits in the file. The
positions of the cells that name the statistic, unit and year are layout facts kept on
`StatisticsDelivery`, so that validation can point at them without knowing the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from suanli.intake.errors import Problem
from suanli.intake.parsers.cells import parse_number

Layout = Literal["nbs_export", "panel", "wide"]

LONG_COLUMNS = (
    "region",
    "region_code",  # the code column as delivered (panels: 110000000000), NA when there is none
    "year",
    "statistic",
    "unit",
    "value_text",
    "value",
    "source_row",
    "source_column",
)
DTYPES = {
    "region": "string",
    "region_code": "string",
    "year": "Int64",
    "statistic": "string",
    "unit": "string",
    "value_text": "string",
    "value": "Float64",
    "source_row": "Int64",
    "source_column": "string",
}


@dataclass(frozen=True)
class Cell:
    """One value cell and what it belongs to, before it becomes a frame row."""

    region: str
    region_code: str | None
    year: int | None
    statistic: str
    unit: str | None
    value_text: str
    source_row: int
    source_column: str


def long_frame(cells: list[Cell]) -> pd.DataFrame:
    records = [
        {
            "region": cell.region.strip(),
            "region_code": cell.region_code.strip() if cell.region_code else None,
            "year": cell.year,
            "statistic": cell.statistic.strip(),
            "unit": cell.unit.strip() if cell.unit is not None else None,
            "value_text": cell.value_text.strip(),
            "value": parse_number(cell.value_text),
            "source_row": cell.source_row,
            "source_column": cell.source_column.strip(),
        }
        for cell in cells
    ]
    frame = pd.DataFrame.from_records(records, columns=list(LONG_COLUMNS))
    return frame.astype(DTYPES)


@dataclass(frozen=True)
class StatisticsDelivery:
    """A parsed statistics file: the long frame plus what the file says about itself.

    Positions (1-based rows, header texts) say where validation should point:
    the statistic is named in `statistic_title_row` (NBS `指标：` line), else in the row's
    `statistic_column`, else in the header cell of the value's column; the unit likewise in
    `unit_column`, the unit row or the header/statistic cell; the year in `year_column` of the
    value's row, else in the header cell of the value's column.
    """

    file_name: str
    layout: Layout
    format: str
    frame: pd.DataFrame
    header_row: int
    region_column: str
    encoding: str | None = None
    sheet: str | None = None
    code_column: str | None = None
    year_column: str | None = None
    statistic_column: str | None = None
    unit_column: str | None = None
    unit_row: int | None = None
    statistic_title_row: int | None = None
    # `数据库`, `指标`, `时间` … as written in the title lines, and the row each is on.
    title: dict[str, str] = field(default_factory=dict)
    title_rows: dict[str, int] = field(default_factory=dict)
    footnotes: tuple[str, ...] = ()
    declared_years: tuple[int, int] | None = None  # from `时间：2016-2024`, inclusive
    # Found while parsing but not fatal (a year cell that is not a year); validation reports them.
    problems: tuple[Problem, ...] = ()

    def statistic_cell(self, source_row: int, source_column: str) -> tuple[int, str | None]:
        if self.statistic_title_row is not None:
            return self.statistic_title_row, None
        if self.statistic_column is not None:
            return source_row, self.statistic_column
        return self.header_row, source_column

    def unit_cell(self, source_row: int, source_column: str) -> tuple[int, str | None]:
        if self.unit_column is not None:
            return source_row, self.unit_column
        if self.unit_row is not None:
            return self.unit_row, source_column
        return self.statistic_cell(source_row, source_column)

    def year_cell(self, source_row: int, source_column: str) -> tuple[int, str]:
        if self.year_column is not None:
            return source_row, self.year_column
        return self.header_row, source_column

"""Pieces the statistics layouts share: title lines, footnotes, the header row, row widths."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from suanli.intake.errors import (
    EMPTY_FILE,
    SCHEMA_CHANGE,
    TRUNCATED_FILE,
    UNKNOWN_FORMAT,
    DeliveryError,
    Problem,
)
from suanli.intake.parsers.cells import normalise
from suanli.intake.parsers.table import RawRow, RawTable

# Header names, compared after `normalise` (NFKC, no whitespace, case folded).
REGION_HEADERS = frozenset(
    normalise(name)
    for name in (
        "地区", "省份", "省", "省份名称", "地区名称", "省(区、市)", "省区市", "省(自治区、直辖市)",
        "行政区划", "region", "province",
    )
)  # fmt: skip
CODE_HEADERS = frozenset(
    normalise(name)
    for name in (
        "省辖市代码", "行政区划代码", "地区代码", "省份代码", "区划代码", "代码", "region_code",
        "province_code", "code",
    )
)  # fmt: skip
YEAR_HEADERS = frozenset(normalise(name) for name in ("年份", "年度", "年", "year"))
STATISTIC_HEADERS = frozenset(
    normalise(name) for name in ("指标", "指标名称", "统计指标", "statistic", "indicator")
)
UNIT_HEADERS = frozenset(normalise(name) for name in ("单位", "计量单位", "unit"))

# `数据库：分省年度数据`, `指标：地区生产总值(亿元)`, `时间：最近20年`.
_TITLE = re.compile(r"\s*(?P<key>[^：:]{1,12}?)\s*[：:]\s*(?P<value>.*)", re.DOTALL)
_FOOTNOTE = re.compile(r"\s*(注|数据来源|资料来源|说明|备注)")
# `2016-2024`, `2016年-2024年`, `2016至2024年`; `最近20年` declares no fixed range.
_YEAR_RANGE = re.compile(r"(\d{4})\s*年?\s*(?:-|–|—|~|至|到)\s*(\d{4})\s*年?")
_SINGLE_YEAR = re.compile(r"(\d{4})\s*年?")

FORMATS_EXPECTED = (
    "an NBS 分省年度数据 export (数据库：/指标：/时间： lines, then 地区,2024年,2023年,…), "
    "an NBS panel (省辖市代码,省份,年份,<indicator> (<unit>),…) or a table with a region column "
    "(地区/省份) and a 年份 column or year columns (2024年)"
)


@dataclass(frozen=True)
class Sections:
    """A table cut into its parts: title lines, the header, the body and the footnotes."""

    titles: tuple[RawRow, ...]
    header: RawRow
    columns: tuple[str, ...]  # header cells, trailing blanks dropped, outer whitespace trimmed
    body: tuple[RawRow, ...]
    footnotes: tuple[str, ...]


def text_of(row: RawRow) -> str:
    """A one-cell line (title, footnote) whole again, had a CSV writer split it at commas."""
    cells = list(row.cells)
    while cells and not cells[-1].strip():
        cells.pop()
    return ",".join(cells).strip()


def sections(table: RawTable) -> Sections:
    """The header is the first row with two or more filled cells; one-cell rows above it are
    title lines, and rows from the first `注…`/`数据来源…` line on are footnotes."""
    header_index = next(
        (i for i, row in enumerate(table.rows) if sum(1 for c in row.cells if c.strip()) >= 2),
        None,
    )
    if header_index is None:
        raise unknown_format(table, None)
    header = table.rows[header_index]
    columns = [cell.strip() for cell in header.cells]
    while columns and not columns[-1]:
        columns.pop()
    rest = table.rows[header_index + 1 :]
    cut = next((i for i, row in enumerate(rest) if is_footnote(row)), len(rest))
    if cut == 0:
        raise DeliveryError(
            [
                Problem(
                    EMPTY_FILE, table.file_name, None, None, None,
                    f"data rows after the header (row {header.number})",
                )
            ]
        )  # fmt: skip
    return Sections(
        titles=table.rows[:header_index],
        header=header,
        columns=tuple(columns),
        body=rest[:cut],
        footnotes=tuple(text_of(row) for row in rest[cut:]),
    )


def is_footnote(row: RawRow) -> bool:
    filled = [cell for cell in row.cells if cell.strip()]
    return bool(filled) and row.cells[0] == filled[0] and bool(_FOOTNOTE.match(filled[0]))


def read_titles(titles: tuple[RawRow, ...]) -> tuple[dict[str, str], dict[str, int]]:
    """`key：value` title lines by key (NFKC'd, so ：and : agree); other lines under `标题`."""
    values: dict[str, str] = {}
    rows: dict[str, int] = {}
    for row in titles:
        text = text_of(row)
        match = _TITLE.fullmatch(text)
        key, value = (match.group("key"), match.group("value")) if match else ("标题", text)
        key = unicodedata.normalize("NFKC", key).strip()
        if key in values:
            values[key] += "\n" + value.strip()
        else:
            values[key], rows[key] = value.strip(), row.number
    return values, rows


def declared_years(time_title: str | None) -> tuple[int, int] | None:
    if not time_title:
        return None
    text = unicodedata.normalize("NFKC", time_title).strip()
    if match := _YEAR_RANGE.fullmatch(text):
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        return first, last
    if match := _SINGLE_YEAR.fullmatch(text):
        return int(match.group(1)), int(match.group(1))
    return None


def find_column(columns: tuple[str, ...], names: frozenset[str]) -> int | None:
    return next((i for i, column in enumerate(columns) if normalise(column) in names), None)


def unknown_format(table: RawTable, row: int | None) -> DeliveryError:
    return DeliveryError(
        [Problem(UNKNOWN_FORMAT, table.file_name, row, None, None, FORMATS_EXPECTED)]
    )


def width_problems(table: RawTable, parts: Sections) -> list[Problem]:
    """Rows with more filled cells than the header has columns, or fewer cells (CSV): the
    last of those, in a file that does not end with a line break, was cut short."""
    width = len(parts.columns)
    shape = f"{width} fields as in the header (row {parts.header.number})"
    problems = []
    last = table.rows[-1]
    for row in parts.body:
        extra = [cell for cell in row.cells[width:] if cell.strip()]
        if extra:
            problems.append(
                Problem(
                    SCHEMA_CHANGE, table.file_name, row.number, None, extra[0],
                    f"{shape}; found {len(row.cells)}",
                )
            )  # fmt: skip
        elif table.format == "csv" and len(row.cells) < width:
            cut = row is last and not table.ends_with_newline
            problems.append(
                Problem(
                    TRUNCATED_FILE if cut else SCHEMA_CHANGE,
                    table.file_name,
                    row.number,
                    parts.columns[len(row.cells) - 1],
                    row.cells[-1],
                    f"{shape}; the file ends in the middle of this row"
                    if cut
                    else f"{shape}; found {len(row.cells)}",
                )
            )
    return problems

"""The typed contract of a delivered column: what intake accepts and the typed value it stores.

Each column declares a kind in the sources YAML (`meta.kind`); `parse_cell` is the one
definition of what a cell of that kind may say and what it means. Intake applies it to every
cell (vectorised in `suanli.intake.records`, through SQL fast paths that agree with it, checked
by a property test) and stores the typed value, so staging never casts delivered text.

| kind | accepts | stored as |
|---|---|---|
| text | any non-empty text (trimmed) | VARCHAR |
| code | an identifier without inner spaces (NFKC, trimmed) | VARCHAR |
| number | a number: thousands separators, full-width digits, exponents; `meta.min`/`max` | DOUBLE |
| count | a whole number ≥ 0 (`12.5` racks is refused, not rounded) | BIGINT |
| percent | a number from 0 to 100, optionally followed by `%` | DOUBLE |
| ratio | a number from 0 to 1 | DOUBLE |
| year | `2025`, `2025年` | INTEGER |
| date | `2024-05-31`, `2024/5/31`, `2024.05.31`, `2024年5月31日` | DATE |
| province | any spelling the resolver knows (`suanli.intake.regions`) | VARCHAR code |
| city | a prefecture-level city of the row's province (`meta.within`) | VARCHAR code |
| flag | Y/N (also 是/否, yes/no, true/false) | BOOLEAN |
| enum | one of `meta.values` (case and width insensitive) | VARCHAR, as declared |

Empty cells, and for every kind but text the no-data markers (—, …, NA …), are missing values:
null when the column is `meta.nullable`, else refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from suanli.intake.catalog import ColumnSpec
from suanli.intake.errors import (
    MISSING_VALUE,
    NEGATIVE_COUNT,
    NOT_A_DATE,
    NOT_A_FLAG,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    NOT_ALLOWED,
    OUT_OF_RANGE,
    YEAR_OUT_OF_RANGE,
)
from suanli.intake.parsers.cells import is_no_data, parse_number, parse_year
from suanli.intake.regions import PROVINCE_EXPECTED, RegionResolver

FIRST_YEAR = 1949  # the People's Republic's statistics start here; earlier years are typos
BIGINT_MAX = 2**63 - 1

DUCKDB_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "number": "DOUBLE",
    "count": "BIGINT",
    "percent": "DOUBLE",
    "ratio": "DOUBLE",
    "year": "INTEGER",
    "date": "DATE",
    # meter readings (record-level telemetry, `format: telemetry`), on the hour
    "timestamp": "TIMESTAMP",
    "province": "VARCHAR",
    "city": "VARCHAR",
    "flag": "BOOLEAN",
    "enum": "VARCHAR",
}
KINDS = frozenset(DUCKDB_TYPES)
REGION_KINDS = frozenset({"province", "city"})
NUMERIC_KINDS = frozenset({"number", "count", "percent", "ratio"})

_FLAGS = {"y": True, "n": False, "是": True, "否": False, "yes": True, "no": False}
_FLAGS |= {"true": True, "false": False}
_DATE = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
_CODE = re.compile(r"\S+")


@dataclass(frozen=True)
class Parsed:
    """A cell's typed value, or why it was refused (`problem` kind and `expected` text)."""

    value: Any = None
    problem: str | None = None
    expected: str | None = None


@dataclass(frozen=True)
class CellContext:
    """What a cell's meaning may depend on besides its text."""

    year_now: int
    partition_year: int | None = None  # a yearly delivery's year: its `year` cells must say it
    province_code: str | None = None  # a city's province, resolved from the same row


def bounds(column: ColumnSpec) -> tuple[float | None, float | None]:
    """The declared or implied (percent, ratio, count) bounds of a numeric column."""
    implied = {"percent": (0.0, 100.0), "ratio": (0.0, 1.0), "count": (0.0, None)}
    low, high = implied.get(column.kind, (None, None))
    return (
        column.minimum if column.minimum is not None else low,
        column.maximum if column.maximum is not None else high,
    )


def _number_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"from {low:g} to {high:g}"
    if low is not None:
        return f"≥ {low:g}"
    if high is not None:
        return f"≤ {high:g}"
    return ""


def expected(column: ColumnSpec, context: CellContext | None = None) -> str:
    """What a cell of this column must hold, as the message says it."""
    kind = column.kind
    if kind in ("number", "percent", "ratio"):
        noun = {"number": "a number", "percent": "a percentage", "ratio": "a ratio"}[kind]
        span = _number_text(*bounds(column))
        return f"{noun} {span}".strip()
    if kind == "count":
        span = _number_text(*bounds(column))
        return f"a whole number {span}".strip()
    if kind == "year":
        if context is not None and context.partition_year is not None:
            return f"{context.partition_year}, the year this delivery is for"
        year_now = context.year_now if context else dt.date.today().year
        return f"a year from {FIRST_YEAR} to {year_now}"
    if kind == "enum":
        return "one of " + ", ".join(column.values)
    return {
        "text": "a value",
        "code": "an identifier without spaces",
        "date": "a date such as 2024-05-31",
        "province": PROVINCE_EXPECTED,
        "city": "a prefecture-level city of the row's province",
        "flag": "Y or N",
    }[kind]


def is_missing(column: ColumnSpec, text: str | None) -> bool:
    if text is None or not text.strip():
        return True
    return column.kind != "text" and is_no_data(text)


def parse_cell(
    column: ColumnSpec,
    text: str | None,
    context: CellContext,
    regions: RegionResolver | None = None,
) -> Parsed:
    """The one definition of a cell's meaning under its column's kind."""
    if is_missing(column, text):
        if column.nullable:
            return Parsed(None)
        return Parsed(
            None, MISSING_VALUE, f"{expected(column, context)}; this column may not be empty"
        )
    assert text is not None
    kind = column.kind
    if kind in NUMERIC_KINDS:
        return _parse_numeric(column, text, context)
    if kind == "text":
        return Parsed(text.strip())
    if kind == "code":
        code = unicodedata.normalize("NFKC", text).strip()
        if not _CODE.fullmatch(code):
            return Parsed(None, NOT_ALLOWED, expected(column))
        return Parsed(code)
    if kind == "year":
        return _parse_year(column, text, context)
    if kind == "date":
        date = parse_date(text)
        if date is None:
            return Parsed(None, NOT_A_DATE, expected(column))
        return Parsed(date)
    if kind == "flag":
        flag = _FLAGS.get(unicodedata.normalize("NFKC", text).strip().casefold())
        if flag is None:
            return Parsed(None, NOT_A_FLAG, expected(column))
        return Parsed(flag)
    if kind == "enum":
        wanted = unicodedata.normalize("NFKC", text).strip().casefold()
        for value in column.values:
            if unicodedata.normalize("NFKC", value).casefold() == wanted:
                return Parsed(value)
        return Parsed(None, NOT_ALLOWED, expected(column))
    if kind in REGION_KINDS:
        if regions is None:
            raise ValueError(f"column {column.name!r} ({kind}) needs a region resolver")
        if kind == "province":
            resolved = regions.province(text)
        else:
            resolved = regions.city(text, context.province_code)
        return Parsed(resolved.code, resolved.problem, resolved.expected)
    raise ValueError(f"column {column.name!r}: unknown kind {kind!r}")


def _parse_numeric(column: ColumnSpec, text: str, context: CellContext) -> Parsed:
    candidate = text
    if column.kind == "percent":
        stripped = unicodedata.normalize("NFKC", text).strip()
        candidate = stripped[:-1] if stripped.endswith("%") else text
    number = parse_number(candidate)
    if number is not None and column.kind == "count":
        # Judged exactly, not through a float: 9007199254740993 racks stay themselves, and
        # 1.0000000000000001 racks are no whole number.
        exact = Decimal(unicodedata.normalize("NFKC", candidate).strip().replace(",", ""))
        if exact < 0:
            return Parsed(None, NEGATIVE_COUNT, expected(column))
        if exact != exact.to_integral_value() or exact > BIGINT_MAX:
            return Parsed(None, NOT_A_WHOLE_NUMBER, expected(column))
        return _bounded(column, int(exact))
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return Parsed(None, NOT_A_NUMBER, expected(column))
    if column.kind == "count":
        if number < 0:
            return Parsed(None, NEGATIVE_COUNT, expected(column))
        if not number.is_integer() or number > BIGINT_MAX:
            return Parsed(None, NOT_A_WHOLE_NUMBER, expected(column))
        number = int(number)
    return _bounded(column, number)


def _bounded(column: ColumnSpec, number: float) -> Parsed:
    low, high = bounds(column)
    if (low is not None and number < low) or (high is not None and number > high):
        return Parsed(None, OUT_OF_RANGE, expected(column))
    return Parsed(number)


def _parse_year(column: ColumnSpec, text: str, context: CellContext) -> Parsed:
    year = parse_year(text)
    if year is None or not FIRST_YEAR <= year <= context.year_now:
        return Parsed(None, YEAR_OUT_OF_RANGE, expected(column, context))
    if context.partition_year is not None and year != context.partition_year:
        return Parsed(None, YEAR_OUT_OF_RANGE, expected(column, context))
    return Parsed(year)


def parse_date(text: str) -> dt.date | None:
    """`2024-05-31`, `2024/5/31`, `2024.05.31`, `2024年5月31日` (full-width digits too)."""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None

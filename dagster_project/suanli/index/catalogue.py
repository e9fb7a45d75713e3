"""The indicator catalogue (`seeds/reference/indicators.csv`): one row per indicator.

Index definitions name their indicators by code only; names, unit and direction come from
here, so two systems using one indicator cannot disagree about it. dbt reads the same file as
the seed `indicators` (additivity, the model that produces each indicator) and the
plausibility suites take their limits from it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from suanli.settings import INDICATOR_CATALOGUE

DIRECTIONS = ("positive", "negative")


class CatalogueError(ValueError):
    """A catalogue row that cannot be used; the message names file, row and column."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    additive: bool
    model: str
    max_national_share_pct: float | None = None
    max_yoy_factor: float | None = None
    yoy_min_base: float | None = None


def load_catalogue(path: Path = INDICATOR_CATALOGUE) -> dict[str, Indicator]:
    """Every catalogued indicator by code, validated row by row."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    catalogue: dict[str, Indicator] = {}
    for line, row in enumerate(rows, start=2):

        def fail(column: str, expected: str, row: dict[str, str] = row, line: int = line):
            value = row.get(column) or ""
            return CatalogueError(
                f'{path.name}: row {line}, column "{column}": value "{value}" — expected {expected}'
            )

        for column in ("indicator_code", "name_zh", "name_en", "unit", "model"):
            if not (row.get(column) or "").strip():
                raise fail(column, "a value (this column may not be empty)")
        code = row["indicator_code"]
        if code in catalogue:
            raise fail("indicator_code", "each indicator once (catalogued twice)")
        if row["direction"] not in DIRECTIONS:
            raise fail("direction", f"one of {', '.join(DIRECTIONS)}")
        if row["additive"] not in ("true", "false"):
            raise fail("additive", "true or false")
        limits: dict[str, float | None] = {}
        for column in ("max_national_share_pct", "max_yoy_factor", "yoy_min_base"):
            text = (row.get(column) or "").strip()
            try:
                limits[column] = float(text) if text else None
            except ValueError:
                raise fail(column, "a number, or empty for no limit") from None
        catalogue[code] = Indicator(
            code=code,
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            unit=row["unit"],
            direction=row["direction"],
            additive=row["additive"] == "true",
            model=row["model"],
            **limits,
        )
    return catalogue

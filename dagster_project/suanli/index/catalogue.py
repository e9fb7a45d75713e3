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
        indicator = _indicator(row, f"{path.name}: row {line}")
        if indicator.code in catalogue:
            raise _refused(row, f"{path.name}: row {line}", "indicator_code",
                           "each indicator once (catalogued twice)")  # fmt: skip
        catalogue[indicator.code] = indicator
    return catalogue


def _refused(row: dict[str, str], where: str, column: str, expected: str) -> CatalogueError:
    return CatalogueError(
        f'{where}, column "{column}": value "{row.get(column) or ""}" — expected {expected}'
    )


def _indicator(row: dict[str, str], where: str) -> Indicator:
    """One catalogue row; `where` names its file and row in a refusal."""
    for column in ("indicator_code", "name_zh", "name_en", "unit", "model"):
        if not (row.get(column) or "").strip():
            raise _refused(row, where, column, "a value (this column may not be empty)")
    if row["direction"] not in DIRECTIONS:
        raise _refused(row, where, "direction", f"one of {', '.join(DIRECTIONS)}")
    if row["additive"] not in ("true", "false"):
        raise _refused(row, where, "additive", "true or false")
    limits: dict[str, float | None] = {}
    for column in ("max_national_share_pct", "max_yoy_factor", "yoy_min_base"):
        text = (row.get(column) or "").strip()
        try:
            limits[column] = float(text) if text else None
        except ValueError:
            raise _refused(row, where, column, "a number, or empty for no limit") from None
    return Indicator(
        code=row["indicator_code"],
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        unit=row["unit"],
        direction=row["direction"],
        additive=row["additive"] == "true",
        model=row["model"],
        **limits,
    )

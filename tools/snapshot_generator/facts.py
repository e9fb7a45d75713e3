"""Published facts: loading them and turning them into province targets the records must hit."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NATIONAL = "100000"
COMPARISONS = ("eq", "gt", "lt", "rank_desc", "rank_asc")


@dataclass(frozen=True)
class Fact:
    fact_id: str
    year: int
    unit_level: str
    unit_code: str
    indicator_code: str
    comparison: str
    value: float
    decimals: int  # precision as written: "62.5" -> 1, "1085" -> 0
    unit: str

    @property
    def half_band(self) -> float:
        """Half-width of the values that round to the written figure."""
        return 0.5 * 10.0**-self.decimals


def load_facts(path: Path) -> list[Fact]:
    facts = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["comparison"] not in COMPARISONS:
                raise ValueError(f"{row['fact_id']}: unknown comparison {row['comparison']!r}")
            text = row["value"].strip()
            facts.append(
                Fact(
                    fact_id=row["fact_id"],
                    year=int(row["year"]),
                    unit_level=row["unit_level"],
                    unit_code=row["unit_code"],
                    indicator_code=row["indicator_code"],
                    comparison=row["comparison"],
                    value=float(text),
                    decimals=len(text.split(".")[1]) if "." in text else 0,
                    unit=row["unit"],
                )
            )
    return facts


def select(facts: Iterable[Fact], indicator: str, year: int) -> list[Fact]:
    return [f for f in facts if f.indicator_code == indicator and f.year == year]


def national_eq(facts: Iterable[Fact], indicator: str, year: int) -> Fact | None:
    for fact in select(facts, indicator, year):
        if fact.unit_code == NATIONAL and fact.comparison == "eq":
            return fact
    return None


def in_band(fact: Fact, rng: np.random.Generator) -> float:
    """A value that rounds to the written figure but is not suspiciously round itself."""
    return fact.value + rng.uniform(-0.4, 0.4) * fact.half_band


def holds(fact: Fact, value: float, rank: int | None = None) -> bool:
    """Whether a computed value (and its 1-based rank, for rank facts) honours the fact."""
    if fact.comparison == "eq":
        return abs(value - fact.value) < fact.half_band - 1e-12
    if fact.comparison == "gt":
        return value > fact.value
    if fact.comparison == "lt":
        return value < fact.value
    return rank == int(fact.value)


def solve_targets(
    prior: dict[str, float],
    facts: list[Fact],
    rng: np.random.Generator,
    *,
    national: float | None = None,
    rank_gap: float = 0.02,
    relative_gap: bool = True,
    gt_margin: tuple[float, float] = (0.04, 0.10),
) -> dict[str, float]:
    """Province targets (keyed by code) that honour the province facts of one indicator-year.

    eq facts fix a province's value inside its rounding band; gt/lt facts push a value past
    the bound (and then fix it); rank facts reorder the listed provinces and keep the others
    clear of the last listed one by `rank_gap`; the remaining free provinces are scaled so the
    provinces sum to `national` (additive indicators). Iterates until every fact holds.
    """
    values = dict(prior)
    fixed: set[str] = set()
    province_facts = [f for f in facts if f.unit_code != NATIONAL]
    for fact in province_facts:
        if fact.comparison == "eq":
            values[fact.unit_code] = in_band(fact, rng)
            fixed.add(fact.unit_code)
    ranks = sorted(
        (f for f in province_facts if f.comparison.startswith("rank")), key=lambda f: f.value
    )

    def gap(value: float) -> float:
        return abs(value) * rank_gap if relative_gap else rank_gap

    for _ in range(50):
        for fact in province_facts:
            code, value = fact.unit_code, values[fact.unit_code]
            if fact.comparison == "gt" and value <= fact.value * (1 + gt_margin[0]):
                values[code] = fact.value * (1 + rng.uniform(*gt_margin))
                fixed.add(code)
            elif fact.comparison == "lt" and value >= fact.value * (1 - gt_margin[0]):
                values[code] = fact.value * (1 - rng.uniform(*gt_margin))
                fixed.add(code)
        if ranks:
            sign = -1.0 if ranks[0].comparison == "rank_desc" else 1.0
            listed = [f.unit_code for f in ranks]
            ordered = sorted((values[c] for c in listed), key=lambda v: sign * v)
            for i, code in enumerate(listed):
                value = ordered[i]
                if i:  # keep a clear gap to the one ranked just above
                    above = values[listed[i - 1]]
                    value = above + sign * max(gap(above), sign * (value - above))
                values[code] = value
            last = values[listed[-1]]
            for code in values:
                if code not in listed and sign * (values[code] - last) < gap(last):
                    values[code] = last + sign * gap(last) * rng.uniform(1.0, 1.5)
        if national is not None:
            free = [c for c in values if c not in fixed]
            rest = national - sum(values[c] for c in fixed)
            scale = rest / sum(values[c] for c in free)
            for code in free:
                values[code] *= scale
        if _satisfied(values, province_facts, ranks, gap):
            return values
    raise ValueError(f"cannot honour facts {[f.fact_id for f in province_facts]} with the prior")


def _satisfied(
    values: dict[str, float],
    facts: list[Fact],
    ranks: list[Fact],
    gap: Callable[[float], float],
) -> bool:
    for fact in facts:
        if not fact.comparison.startswith("rank") and not holds(fact, values[fact.unit_code]):
            return False
    if ranks:
        sign = -1.0 if ranks[0].comparison == "rank_desc" else 1.0
        order = sorted(values, key=lambda c: sign * values[c])
        for fact in ranks:
            position = order.index(fact.unit_code)
            if position + 1 != int(fact.value):
                return False
            if position + 1 < len(order):
                below = order[position + 1]
                if sign * (values[below] - values[fact.unit_code]) < 0.999 * gap(
                    values[fact.unit_code]
                ):
                    return False
    return True

"""One resolver for region names: provinces and prefecture-level cities → GB/T 2260 codes.

Intake resolves every province and city cell with it and stores the code, so dbt never maps
names a second time. Names match after NFKC (full-width letters, digits and spaces) with every
whitespace removed and case folded (`北　京`, ` 新 疆 `, `BEIJING`); codes as 6 digits or the
12-digit statistical code; short names, pinyin and pre-reform names come from the seeds
(`seeds/reference/province_aliases.csv`, `cities.csv`, `city_aliases.csv`).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from suanli.intake.errors import AMBIGUOUS_REGION, UNKNOWN_REGION, Problem
from suanli.intake.parsers.cells import normalise
from suanli.settings import SEEDS_DIR

REFERENCE_DIR = SEEDS_DIR / "reference"
PROVINCE_EXPECTED = "a province name or GB/T 2260 code"
# Centres in the four municipalities belong to their province only: no prefecture city.
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})


def read_seed(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


class RegionLookup:
    """Delivered province names and codes → GB/T 2260 codes.

    Names match after NFKC (full-width letters, digits and spaces), with every whitespace
    removed and case folded: `北　京`, ` 北京市 `, `BEIJING` all resolve. Codes resolve as
    6 digits (`110000`) or the 12-digit statistical code (`110000000000`).

    With `include_cities`, city names and codes are known too; a name that means several
    divisions (a bare `吉林`: the province 220000 or the city 220200; pinyin `Suzhou`) then
    resolves to all of them and is ambiguous. Province deliveries leave cities out, so that
    `吉林` is the province, as the province aliases say.
    """

    def __init__(
        self,
        names: Mapping[str, Iterable[str]],
        provinces: Mapping[str, str],
        cities: Mapping[str, str] | None = None,
    ) -> None:
        self._names = {normalise(name): frozenset(codes) for name, codes in names.items()}
        self.provinces = dict(provinces)  # code → name_zh
        self.cities = dict(cities or {})

    @classmethod
    def from_seeds(
        cls, reference_dir: Path = REFERENCE_DIR, include_cities: bool = False
    ) -> RegionLookup:
        names: dict[str, set[str]] = defaultdict(set)
        provinces = {}
        for row in read_seed(reference_dir / "provinces.csv"):
            provinces[row["province_code"]] = row["name_zh"]
            for column in ("name_zh", "short_name_zh", "name_en"):
                names[normalise(row[column])].add(row["province_code"])
        for row in read_seed(reference_dir / "province_aliases.csv"):
            names[normalise(row["alias"])].add(row["province_code"])
        cities = {}
        if include_cities:
            for row in read_seed(reference_dir / "cities.csv"):
                cities[row["city_code"]] = row["name_zh"]
                names[normalise(row["name_zh"])].add(row["city_code"])
            for row in read_seed(reference_dir / "city_aliases.csv"):
                names[normalise(row["alias"])].add(row["city_code"])
        return cls(names, provinces, cities)

    @property
    def province_codes(self) -> tuple[str, ...]:
        return tuple(sorted(self.provinces))

    def name(self, code: str) -> str:
        return self.provinces.get(code) or self.cities.get(code) or code

    def resolve(self, delivered: str | None) -> tuple[str, ...]:
        """Every code the text can mean: none (unknown), one, or several (ambiguous)."""
        if delivered is None:
            return ()
        key = normalise(delivered)
        if key.isdigit():
            code = key[:6] if len(key) == 12 and key.endswith("000000") else key
            return (code,) if code in self.provinces or code in self.cities else ()
        return tuple(sorted(self._names.get(key, ())))

    def problem(
        self, delivered: str | None, file_name: str, row: int | None, column: str | None
    ) -> Problem | None:
        """Why the text does not name exactly one province, or None when it does."""
        codes = self.resolve(delivered)
        value = delivered if delivered is not None else ""
        if len(codes) > 1:
            meanings = " or ".join(f"{code} {self.name(code)}" for code in codes)
            return Problem(
                AMBIGUOUS_REGION, file_name, row, column, value,
                f"{PROVINCE_EXPECTED} that names one division ({value.strip()} is {meanings})",
            )  # fmt: skip
        if not codes:
            return Problem(UNKNOWN_REGION, file_name, row, column, value, PROVINCE_EXPECTED)
        if codes[0] not in self.provinces:
            return Problem(
                UNKNOWN_REGION, file_name, row, column, value,
                f"{PROVINCE_EXPECTED}, not the city {codes[0]} {self.name(codes[0])}",
            )  # fmt: skip
        return None


@dataclass(frozen=True)
class Resolved:
    """A region cell's code, or the problem kind and what was expected."""

    code: str | None
    problem: str | None = None
    expected: str | None = None


class RegionResolver:
    """Province cells (`province`) and city cells within their row's province (`city`)."""

    def __init__(self, provinces: RegionLookup, all_regions: RegionLookup) -> None:
        self.provinces = provinces  # province names only: a bare 吉林 is the province
        self.all_regions = all_regions  # provinces and cities, for city cells
        self._cities: dict[tuple[str, str], str] = {}
        self._city_province: dict[str, str] = {}

    @classmethod
    def from_seeds(cls, reference_dir: Path = REFERENCE_DIR) -> RegionResolver:
        resolver = cls(
            RegionLookup.from_seeds(reference_dir),
            RegionLookup.from_seeds(reference_dir, include_cities=True),
        )
        for row in read_seed(reference_dir / "cities.csv"):
            resolver._city_province[row["city_code"]] = row["province_code"]
            for name in (row["name_zh"], row["name_en"], row["city_code"]):
                resolver._cities[(row["province_code"], normalise(name))] = row["city_code"]
        for row in read_seed(reference_dir / "city_aliases.csv"):
            resolver._cities[(row["province_code"], normalise(row["alias"]))] = row["city_code"]
        return resolver

    def province(self, delivered: str) -> Resolved:
        problem = self.provinces.problem(delivered, "", None, None)
        if problem is not None:
            return Resolved(None, problem.kind, problem.expected)
        return Resolved(self.provinces.resolve(delivered)[0])

    def city(self, delivered: str, province_code: str | None) -> Resolved:
        """A prefecture-level city of `province_code` (none for a municipality's own name)."""
        if province_code is None:
            return Resolved(None)  # the row's province is refused already; say it once
        province_name = self.provinces.name(province_code)
        key = normalise(delivered)
        code = key[:6] if key.isdigit() and len(key) == 12 else key
        if (province_code, code) in self._cities:
            return Resolved(self._cities[(province_code, code)])
        if province_code in MUNICIPALITIES and self.provinces.resolve(delivered) == (
            province_code,
        ):
            return Resolved(None)
        elsewhere = sorted(
            {
                self.provinces.name(self._city_province[city])
                for city in self.all_regions.resolve(delivered)
                if city in self._city_province
            }
        )
        hint = f" ({delivered.strip()} is in {'、'.join(elsewhere)})" if elsewhere else ""
        return Resolved(None, UNKNOWN_REGION, f"a prefecture-level city of {province_name}{hint}")


@cache
def default_resolver() -> RegionResolver:
    return RegionResolver.from_seeds()

"""Is a delivery usable? Validators that collect every problem (never stop at the first).

- `validate_statistics`: a parsed statistics file (`suanli.intake.parsers`) against the
  reference seeds: regions, units, statistics, completeness, duplicates, numbers, years.
Record-level deliveries are typed by their contract instead (`suanli.intake.contract`,
`suanli.intake.records`).

The lookups read the dbt seeds in `seeds/reference/`, so Python and dbt staging share them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from suanli.intake.contract import FIRST_YEAR
from suanli.intake.errors import (
    AMBIGUOUS_REGION,
    DUPLICATE_REGION,
    MISSING_REGION,
    NEGATIVE_COUNT,
    NOT_A_NUMBER,
    UNKNOWN_STATISTIC,
    UNKNOWN_UNIT,
    YEAR_OUT_OF_RANGE,
    Problem,
    year_ranges,
)
from suanli.intake.parsers.cells import (
    NO_DATA_DESCRIPTION,
    is_no_data,
    normalise,
)
from suanli.intake.parsers.frame import StatisticsDelivery
from suanli.intake.regions import REFERENCE_DIR, RegionLookup, read_seed

NUMBER_EXPECTED = (
    f"a number (thousands separators allowed) or a no-data marker ({NO_DATA_DESCRIPTION})"
)


# ---------------------------------------------------------------------- units, statistics


@dataclass(frozen=True)
class Unit:
    unit: str
    canonical_unit: str
    factor: float  # value in `unit` × factor = value in `canonical_unit`
    quantity: str


class UnitTable:
    """`seeds/reference/units.csv`: every unit as written, its canonical unit and factor."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = {normalise(unit.unit): unit for unit in units}

    @classmethod
    def from_seeds(cls, reference_dir: Path = REFERENCE_DIR) -> UnitTable:
        return cls(
            Unit(row["unit"], row["canonical_unit"], float(row["factor"]), row["quantity"])
            for row in read_seed(reference_dir / "units.csv")
        )

    def get(self, unit: str | None) -> Unit | None:
        return self.units.get(normalise(unit)) if unit else None

    def spellings(self, canonical_unit: str) -> list[str]:
        return [unit.unit for unit in self.units.values() if unit.canonical_unit == canonical_unit]


@dataclass(frozen=True)
class Statistic:
    code: str
    name_zh: str
    name_en: str
    canonical_unit: str
    is_amount: bool  # a count or amount: additive over provinces and never negative


class StatisticTable:
    """`seeds/reference/statistics.csv` and `statistic_aliases.csv` (names as agencies write
    them; matched like region names). An alias naming two statistics is a seed error."""

    def __init__(self, statistics: Iterable[Statistic], aliases: Iterable[tuple[str, str]]) -> None:
        self.statistics = {statistic.code: statistic for statistic in statistics}
        self.aliases: dict[str, str] = {}
        pairs = [(s.name_zh, s.code) for s in self.statistics.values()]
        pairs += [(s.code, s.code) for s in self.statistics.values()]
        for alias, code in [*pairs, *aliases]:
            if code not in self.statistics:
                raise ValueError(f"statistic alias {alias!r} names unknown statistic {code!r}")
            known = self.aliases.setdefault(normalise(alias), code)
            if known != code:
                raise ValueError(f"statistic alias {alias!r} names both {code} and {known}")
        self.by_alias = {alias: self.statistics[code] for alias, code in self.aliases.items()}

    @classmethod
    def from_seeds(cls, reference_dir: Path = REFERENCE_DIR) -> StatisticTable:
        statistics = [
            Statistic(
                row["statistic_code"],
                row["name_zh"],
                row["name_en"],
                row["canonical_unit"],
                row["is_amount"].lower() == "true",
            )
            for row in read_seed(reference_dir / "statistics.csv")
        ]
        aliases = read_seed(reference_dir / "statistic_aliases.csv")
        return cls(statistics, [(row["alias"], row["statistic_code"]) for row in aliases])

    def resolve(self, name: str | None) -> Statistic | None:
        return self.by_alias.get(normalise(name)) if name else None


# ------------------------------------------------------------------------------ statistics


def validate_statistics(
    delivery: StatisticsDelivery,
    file_name: str,
    regions: RegionLookup,
    units: UnitTable,
    statistics: StatisticTable,
    declared_years: tuple[int, int] | None = None,
    *,
    current_year: int | None = None,
) -> list[Problem]:
    """Every problem of a parsed statistics file, in file order (whole-file ones last).

    `declared_years` (inclusive) is the range the caller expects; without it, the range the
    file declares (`时间：2016-2024`) applies. A province with a row whose values are all
    no-data has reported no data; a province with no row is missing, unless nobody has a
    value for that statistic and year (a year not yet published).
    """
    rows = _Rows(delivery, regions, statistics)
    year_now = current_year or dt.date.today().year
    problems = [dataclasses.replace(problem, file=file_name) for problem in delivery.problems]
    problems += _declaration_problems(rows, file_name, units)
    problems += _region_problems(rows, file_name)
    problems += _year_problems(rows, file_name, declared_years, year_now)
    problems += _value_problems(rows, file_name)
    problems += _duplicate_problems(rows, file_name)
    problems += _missing_problems(rows, file_name)
    return sorted(problems, key=lambda problem: (problem.row is None, problem.row or 0))


@dataclass
class _Rows:
    """The long frame as records, each with its statistic and province resolved once."""

    delivery: StatisticsDelivery
    regions: RegionLookup
    statistics: StatisticTable

    def __post_init__(self) -> None:
        frame = self.delivery.frame.astype(object).where(self.delivery.frame.notna(), None)
        self.records: list[dict] = frame.to_dict("records")
        names = {record["statistic"] for record in self.records}
        self.statistic_of = {name: self.statistics.resolve(name) for name in names}
        self.province_of: dict[int, str | None] = {}
        for record in self.records:
            if record["source_row"] not in self.province_of:
                codes = self.regions.resolve(record["region"])
                known = len(codes) == 1 and codes[0] in self.regions.provinces
                self.province_of[record["source_row"]] = codes[0] if known else None

    def statistic_key(self, record: dict) -> str:
        statistic = self.statistic_of[record["statistic"]]
        return statistic.code if statistic else f"?{record['statistic']}"


def _declaration_problems(rows: _Rows, file_name: str, units: UnitTable) -> list[Problem]:
    delivery, problems = rows.delivery, []
    seen: set[tuple] = set()
    for record in rows.records:
        name, unit_text = record["statistic"], record["unit"]
        statistic = rows.statistic_of[name]
        where = delivery.statistic_cell(record["source_row"], record["source_column"])
        if statistic is None and (where, name) not in seen:
            seen.add((where, name))
            problems.append(
                Problem(
                    UNKNOWN_STATISTIC, file_name, *where, name,
                    "a statistic named in seeds/reference/statistics.csv or statistic_aliases.csv",
                )
            )  # fmt: skip
        where = delivery.unit_cell(record["source_row"], record["source_column"])
        if (where, unit_text, name) in seen:
            continue
        seen.add((where, unit_text, name))
        unit = units.get(unit_text)
        # An unknown statistic is reported once, above; its unit only when that is unknown too.
        if unit is not None and (
            statistic is None or unit.canonical_unit == statistic.canonical_unit
        ):
            continue
        if statistic is not None:
            spellings = ", ".join(units.spellings(statistic.canonical_unit))
            expected = f"a unit of {statistic.canonical_unit} for {name}: {spellings}"
        else:
            expected = "a unit listed in seeds/reference/units.csv"
        if not unit_text:
            expected += ", in brackets after the name or in a unit row or column"
        problems.append(Problem(UNKNOWN_UNIT, file_name, *where, unit_text, expected))
    return problems


def _region_problems(rows: _Rows, file_name: str) -> list[Problem]:
    delivery, regions, problems = rows.delivery, rows.regions, []
    done: set[int] = set()
    for record in rows.records:
        row = record["source_row"]
        if row in done:
            continue
        done.add(row)
        problem = regions.problem(record["region"], file_name, row, delivery.region_column)
        if problem is not None:
            problems.append(problem)
        province, code = rows.province_of[row], record["region_code"]
        if province is None or code is None or delivery.code_column is None:
            continue
        if regions.resolve(code) != (province,):
            problems.append(
                Problem(
                    AMBIGUOUS_REGION, file_name, row, delivery.code_column, code,
                    f'{province} ({province}000000), the code of {regions.name(province)} '
                    f'in column "{delivery.region_column}"',
                )
            )  # fmt: skip
    return problems


def _year_problems(
    rows: _Rows, file_name: str, declared: tuple[int, int] | None, year_now: int
) -> list[Problem]:
    delivery, problems, source = rows.delivery, [], ""
    if declared is not None:
        source = "as expected for this delivery"
    elif delivery.declared_years is not None:
        declared, row = delivery.declared_years, delivery.title_rows.get("时间")
        source = f"as the file declares in row {row} (时间：{delivery.title.get('时间')})"
    done: set[tuple] = set()
    for record in rows.records:
        year = record["year"]
        where = delivery.year_cell(record["source_row"], record["source_column"])
        if year is None or where in done:
            continue
        done.add(where)
        text = record["source_column"] if delivery.year_column is None else str(year)
        if not FIRST_YEAR <= year <= year_now:
            expected = f"a year from {FIRST_YEAR} to {year_now}"
        elif declared is not None and not declared[0] <= year <= declared[1]:
            expected = f"a year within {declared[0]}–{declared[1]} {source}"
        else:
            continue
        problems.append(Problem(YEAR_OUT_OF_RANGE, file_name, *where, text, expected))
    return problems


def _value_problems(rows: _Rows, file_name: str) -> list[Problem]:
    problems = []
    for record in rows.records:
        text, value = record["value_text"], record["value"]
        where = (record["source_row"], record["source_column"])
        if value is None and not is_no_data(text):
            problems.append(Problem(NOT_A_NUMBER, file_name, *where, text, NUMBER_EXPECTED))
        statistic = rows.statistic_of[record["statistic"]]
        if value is not None and value < 0 and statistic is not None and statistic.is_amount:
            problems.append(
                Problem(
                    NEGATIVE_COUNT, file_name, *where, text,
                    f"a number ≥ 0 ({record['statistic']} is a count or amount)",
                )
            )  # fmt: skip
    return problems


def _duplicate_problems(rows: _Rows, file_name: str) -> list[Problem]:
    first_row: dict[tuple, int] = {}
    duplicated: dict[int, int] = {}  # row → the earlier row it repeats
    for record in rows.records:
        row, province = record["source_row"], rows.province_of[record["source_row"]]
        if province is None or record["year"] is None:
            continue
        key = (province, rows.statistic_key(record), record["year"])
        earlier = first_row.setdefault(key, row)
        if earlier != row:
            duplicated.setdefault(row, earlier)
    region_column = rows.delivery.region_column
    by_row = {record["source_row"]: record["region"] for record in rows.records}
    return [
        Problem(
            DUPLICATE_REGION, file_name, row, region_column, by_row[row],
            f"each province once per statistic and year "
            f"({rows.regions.name(rows.province_of[row] or '')} is already in row {earlier})",
        )
        for row, earlier in duplicated.items()
    ]  # fmt: skip


def _missing_problems(rows: _Rows, file_name: str) -> list[Problem]:
    present: dict[tuple, set[str]] = defaultdict(set)
    reported: dict[tuple, bool] = defaultdict(bool)  # some province has a value
    names: dict[str, str] = {}
    for record in rows.records:
        if record["year"] is None:
            continue
        key = (rows.statistic_key(record), record["year"])
        names[key[0]] = record["statistic"]
        reported[key] |= record["value"] is not None or not is_no_data(record["value_text"])
        if (province := rows.province_of[record["source_row"]]) is not None:
            present[key].add(province)
    missing: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for key, has_values in reported.items():
        if has_values:
            for province in set(rows.regions.province_codes) - present[key]:
                missing[province][names[key[0]]].add(key[1])
    problems = []
    for province in sorted(missing):
        by_statistic = missing[province]
        years = sorted(set().union(*by_statistic.values()))
        listed = (
            ", ".join(by_statistic) if len(by_statistic) <= 3 else f"{len(by_statistic)} statistics"
        )
        problems.append(
            Problem(
                MISSING_REGION, file_name, None, rows.delivery.region_column, None,
                f"a row for {rows.regions.name(province)} ({province}) "
                f"in {year_ranges(years)} ({listed})",
            )
        )  # fmt: skip
    return problems

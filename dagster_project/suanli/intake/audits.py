"""Audits of a candidate delivery before it may become current: the file as a whole.

Intake parses every cell of a delivery to a typed value (`suanli.intake.readers`); the result
is a *candidate*, a DuckDB relation with one column per declared column under its declared
name (`count` BIGINT, `number`/`percent`/`ratio` DOUBLE, `year` INTEGER, `date` DATE, `flag`
BOOLEAN, `province`/`city` the 6-digit GB/T 2260 code plus `<column>_as_delivered`, text
VARCHAR) and `_row_number` (the row as a spreadsheet shows it, header = 1). Statistics tables
have the long layout (`region`, `region_as_delivered`, `year`, `statistic` code, `unit` as
delivered, `value` in that unit, `value_text`, `source_column`, … `_row_number`).

`audit_candidate` runs the source's audits (`meta.delivery.audits` of its dbt source):

- `keys`: lists of key columns, each combination at most once (DUPLICATE_KEY, naming the row
  that has it first). Rows with an empty key cell are left to the cell checks.
- `complete: {unit: province, per: [year, …]}`: every province (city tables: every city that
  hosts compute centres) exactly once for each combination of the `per` values the file has
  (MISSING_REGION, DUPLICATE_REGION). A key that is exactly the completeness grain is checked
  once, here, so that a repeated province is not reported twice.
- `derived: [{name, numerator, denominator, min, max}]`: a ratio of two columns of one row
  within physical bounds (OUT_OF_RANGE). Rows with either side empty, or both zero (a centre
  not yet in production), are skipped; a non-zero numerator over a zero denominator is an
  infinite ratio and breaks a finite `max`.
- Plausibility against the delivery it supersedes (`previous`), always on when there is one:
  rows are matched on the first declared key (else on the completeness grain; statistics on
  region, statistic and year, after converting both sides to the canonical unit of
  `seeds/reference/units.csv`). A matched pair *moved* when new ÷ old is within a factor
  10^±0.05 (×0.89–1.12) of a power of ten other than 1. When at least `MIN_MOVED` values and
  at least `MIN_MOVED_SHARE` of the matched pairs (both values non-empty and non-zero) of a
  numeric column moved (statistics: of a statistic, or of one delivered column of it), the
  delivery is held with one IMPLAUSIBLE_CHANGE per such column or statistic, naming the first
  moved cell and the next few, unless the file declares itself a revision
  (`declares_revision`) or the source switches it off (`plausibility: false`: expert judgements,
  which an expert may revise by any factor).

Every audit is a few set-based DuckDB queries over the relation (no Python per row): a
million-row registry audits against a million-row predecessor in about a second on two cores.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from suanli.intake.catalog import SourceSpec
from suanli.intake.delivery import Delivery
from suanli.intake.errors import (
    DUPLICATE_KEY,
    DUPLICATE_REGION,
    IMPLAUSIBLE_CHANGE,
    MISSING_REGION,
    OUT_OF_RANGE,
    Problem,
    year_ranges,
)
from suanli.intake.parsers.cells import normalise
from suanli.intake.regions import REFERENCE_DIR, read_seed

# Plausibility: a column (statistic) is held when at least MIN_MOVED of its matched values, and
# at least MIN_MOVED_SHARE of them, moved by a power of ten (|log10(new/old) - k| ≤
# POWER_TOLERANCE for an integer k ≠ 0).
# - 20 %: a column in the wrong unit moves (nearly) all of its values; genuine corrections
#   that happen to be ×10 (1 → 10 racks) are a few cells of a column, far below a fifth of it.
#   Statistics are judged per statistic and per statistic and delivered column (a year column
#   of a wide table), so one slipped year among twenty is held too.
# - 3: two cells are a coincidence or a typo (single wrong cells are the cell checks' and the
#   reviewers' business); three moved together are a pattern. It binds for columns of fewer
#   than 15 matched values; a province table's column needs 7 of 31.
# - 0.05 in log10 is a factor ×0.89–1.12 around 10^k: the superseded delivery is the same
#   period, so a re-send differs from it by corrections of a few per cent, or by a unit.
MIN_MOVED = 3
MIN_MOVED_SHARE = 0.20
POWER_TOLERANCE = 0.05
LISTED_MOVES = 5  # further moved cells named in the message after the first

_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT")  # fmt: skip
_NUMERIC_TYPES = (*_INTEGER_TYPES, "FLOAT", "DOUBLE", "DECIMAL")
_STATISTICS_KEY = ("region", "statistic", "year")

# A revision says so: `修订` or `revision`/`revised` in the file name, or in a `注：`, `说明：`,
# `备注：` or `Note:` footnote; `未修订` and `unrevised` do not count.
_REVISION = re.compile(r"(?<!未)修订|(?<!un)revis(?:ion|ed)", re.IGNORECASE)
_NOTE = re.compile(r"(?:注|说明|备注|note)", re.IGNORECASE)
_SOURCE = re.compile(r"(?:数据来源|资料来源|来源|source)", re.IGNORECASE)


def declares_revision(file_name: str, footnotes: Sequence[str] = ()) -> bool:
    """Whether a delivery declares itself a revision of the one in force: `修订` or
    `revision`/`revised` in its file name (not its folder), or in its notes: a footnote
    starting `注`, `说明`, `备注` or `Note`, and the numbered lines that follow it. A
    `数据来源：` line does not count (a source title such as 《…修订版》 is not a statement
    about this file)."""
    name = unicodedata.normalize("NFKC", Path(file_name.replace("\\", "/")).name)
    if _REVISION.search(name):
        return True
    in_note = False
    for footnote in footnotes:
        text = unicodedata.normalize("NFKC", footnote).strip()
        if _NOTE.match(text):
            in_note = True
        elif _SOURCE.match(text):
            in_note = False
        if in_note and _REVISION.search(text):
            return True
    return False


# -------------------------------------------------------------------------------- reference


@dataclass(frozen=True)
class _Reference:
    names: Mapping[str, str]  # GB/T 2260 code → Chinese name (provinces and cities)
    province_codes: tuple[str, ...]
    hosting_city_codes: tuple[str, ...]
    unit_factors: Mapping[str, float]  # normalised unit → factor to its canonical unit
    canonical_units: Mapping[str, str]  # normalised unit → canonical unit
    units_by_canonical: Mapping[str, tuple[tuple[str, float], ...]]  # canonical → (unit, factor)


@cache
def _reference(reference_dir: Path = REFERENCE_DIR) -> _Reference:
    provinces = read_seed(reference_dir / "provinces.csv")
    cities = read_seed(reference_dir / "cities.csv")
    units = read_seed(reference_dir / "units.csv")
    by_canonical: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in units:
        by_canonical[row["canonical_unit"]].append((row["unit"], float(row["factor"])))
    return _Reference(
        names={
            **{row["city_code"]: row["name_zh"] for row in cities},
            **{row["province_code"]: row["name_zh"] for row in provinces},
        },
        province_codes=tuple(sorted(row["province_code"] for row in provinces)),
        hosting_city_codes=tuple(
            sorted(
                row["city_code"] for row in cities if row["hosts_compute_centres"].lower() == "true"
            )
        ),
        unit_factors={normalise(row["unit"]): float(row["factor"]) for row in units},
        canonical_units={normalise(row["unit"]): row["canonical_unit"] for row in units},
        units_by_canonical={key: tuple(value) for key, value in by_canonical.items()},
    )


# ------------------------------------------------------------------------------ entry point


def audit_candidate(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    candidate: str,
    file_name: str,
    *,
    previous: str | None = None,
    declares_revision: bool = False,
    province_codes: Sequence[str] | None = None,
    hosting_city_codes: Sequence[str] | None = None,
) -> list[Problem]:
    """Every problem of the candidate delivery as a whole (rows in file order, then the
    whole-file ones); an empty list lets it become current.

    `candidate` and `previous` name DuckDB relations (tables or views, possibly qualified) in
    the typed layout; `previous` holds the rows of the delivery(ies) the candidate supersedes.
    `province_codes` default to `seeds/reference/provinces.csv`, `hosting_city_codes` to the
    cities of `seeds/reference/cities.csv` that host compute centres.
    """
    reference = _reference()
    context = _Context(
        connection,
        spec,
        candidate,
        file_name,
        _columns(connection, candidate),
        reference,
        tuple(province_codes) if province_codes is not None else reference.province_codes,
        (
            tuple(hosting_city_codes)
            if hosting_city_codes is not None
            else reference.hosting_city_codes
        ),
    )
    audits = spec.audits or {}
    complete = audits.get("complete")
    unique: set[tuple[str, ...]] = set()  # keys the key audit found unique
    problems = _key_problems(context, audits.get("keys") or (), complete, unique)
    if complete:
        problems += _completeness_problems(context, complete)
    for derived in audits.get("derived") or ():
        problems += _derived_problems(context, derived)
    if previous is not None and not declares_revision and audits.get("plausibility", True):
        if spec.format == "statistics":
            problems += _statistics_change_problems(context, previous)
        else:
            key = _match_key(audits)
            problems += _record_change_problems(context, previous, key, tuple(key) in unique)
    return sorted(problems, key=lambda problem: (problem.row is None, problem.row or 0))


@dataclass(frozen=True)
class _Context:
    connection: duckdb.DuckDBPyConnection
    spec: SourceSpec
    candidate: str
    file_name: str
    types: Mapping[str, str]  # candidate column → DuckDB type
    reference: _Reference
    province_codes: tuple[str, ...]
    hosting_city_codes: tuple[str, ...]

    def shown(self, column: str, alias: str = "") -> str:
        """SQL for a cell as the agency wrote it: `<column>_as_delivered` when there is one."""
        prefix = f"{alias}." if alias else ""
        delivered = f"{column}_as_delivered"
        if delivered in self.types:
            return f"coalesce({prefix}{_q(delivered)}, {prefix}{_q(column)}::VARCHAR)"
        return f"{prefix}{_q(column)}::VARCHAR"

    def problem(
        self, kind: str, row: int | None, column: str | None, value: str | None, expected: str
    ) -> Problem:
        return Problem(kind, self.file_name, row, column, value, expected)


def _columns(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    described = connection.execute(f"describe select * from {relation}").fetchall()
    return {name: str(kind).upper() for name, kind, *_ in described}


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _require(context: _Context, columns: Iterable[str], audit: str) -> None:
    missing = [column for column in columns if column not in context.types]
    if missing:
        raise ValueError(
            f"{context.spec.name}: audit {audit} names {', '.join(missing)}, "
            f"not a column of the candidate relation {context.candidate}"
        )


# --------------------------------------------------------------------------------- 1. keys


def _grain(complete: Mapping[str, Any] | None) -> list[str]:
    if not complete:
        return []
    return [complete.get("column", complete["unit"]), *complete.get("per", ())]


def _key_problems(
    context: _Context,
    keys: Sequence[Sequence[str]],
    complete: Mapping[str, Any] | None,
    unique: set[tuple[str, ...]],
) -> list[Problem]:
    problems = []
    grain = set(_grain(complete))
    for key in keys:
        key = list(key)
        if grain and set(key) == grain:
            continue  # the completeness audit reports a repeated province (DUPLICATE_REGION)
        _require(context, key, f"keys {key}")
        columns = ", ".join(_q(column) for column in key)
        not_null = " and ".join(f"{_q(column)} is not null" for column in key)
        shown = ", ".join(
            f"{context.shown(column, 'c')} as shown_{i}" for i, column in enumerate(key)
        )
        rows = context.connection.execute(
            f"""
            with repeated as (
                select {columns}, min(_row_number) as first_row
                from {context.candidate}
                where {not_null}
                group by all
                having count(*) > 1
            )
            select c._row_number, r.first_row, {shown},
                {", ".join(f"c.{_q(column)}::VARCHAR" for column in key)}
            from {context.candidate} as c
            join repeated as r using ({columns})
            where c._row_number > r.first_row
            order by c._row_number
            """
        ).fetchall()
        if not rows:
            unique.add(tuple(key))
        label = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
        for row, first_row, *cells in rows:
            shown_cells, typed = cells[: len(key)], cells[len(key) :]
            named = " ".join(
                context.reference.names.get(value, value)
                if _kind(context, column) in ("province", "city")
                else value
                for column, value in zip(key, typed, strict=True)
            )
            problems.append(
                context.problem(
                    DUPLICATE_KEY,
                    row,
                    ", ".join(key),
                    ", ".join(shown_cells),
                    f"each {label} once ({named} is already in row {first_row})",
                )
            )
    return problems


def _kind(context: _Context, column: str) -> str | None:
    for column_spec in context.spec.column_specs:
        if column_spec.name == column:
            return column_spec.kind
    return None


# ------------------------------------------------------------------------- 2. completeness


def _completeness_problems(context: _Context, complete: Mapping[str, Any]) -> list[Problem]:
    unit = complete["unit"]
    column = complete.get("column", unit)
    per = list(complete.get("per", ()))
    _require(context, [column, *per], f"complete {dict(complete)}")
    if unit == "province":
        expected_codes = context.province_codes
    elif unit == "city":
        expected_codes = context.hosting_city_codes
    else:
        raise ValueError(f"{context.spec.name}: complete.unit must be province or city, not {unit}")
    connection, relation = context.connection, context.candidate
    per_sql = [_q(name) for name in per]
    # Every combination of the `per` values the file has (each year × each server type …).
    combinations = " cross join ".join(
        f"(select distinct {_q(name)} from {relation} where {_q(name)} is not null)" for name in per
    )
    grains = f"select * from {combinations}" if per else "select 1 as _all"
    join_on = " and ".join([f"p.{name} = g.{name}" for name in per_sql] or ["true"])
    missing = connection.execute(
        f"""
        with grains as ({grains}),
        units as (select unnest(?::VARCHAR[]) as code),
        present as (
            select distinct {", ".join([_q(column), *per_sql])}
            from {relation}
            where {" and ".join(f"{name} is not null" for name in [_q(column), *per_sql])}
        )
        select u.code{"".join(f", g.{name}::VARCHAR" for name in per_sql)}
        from grains as g cross join units as u
        where not exists (
            select 1 from present as p
            where p.{_q(column)} = u.code and {join_on}
        )
        order by all
        """,
        [list(expected_codes)],
    ).fetchall()
    by_code: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for code, *values in missing:
        by_code[code].append(tuple(values))
    problems = [
        context.problem(
            MISSING_REGION,
            None,
            column,
            None,
            f"a row for {context.reference.names.get(code, code)} ({code}) "
            f"{_combinations(per, combos)}",
        )
        for code, combos in sorted(by_code.items())
    ]
    partition = ", ".join([_q(column), *per_sql])
    repeated = connection.execute(
        f"""
        select _row_number, {context.shown(column)}, {_q(column)}::VARCHAR,
            min(_row_number) over (partition by {partition}) as first_row
        from {relation}
        where {" and ".join(f"{name} is not null" for name in [_q(column), *per_sql])}
        qualify count(*) over (partition by {partition}) > 1 and _row_number > first_row
        order by _row_number
        """
    ).fetchall()
    noun = "city" if unit == "city" else "province"
    once = f"once per {' and '.join(per)}" if per else "once"
    problems += [
        context.problem(
            DUPLICATE_REGION,
            row,
            column,
            shown,
            f"each {noun} {once} ({context.reference.names.get(code, code)} "
            f"is already in row {first_row})",
        )
        for row, shown, code, first_row in repeated
    ]
    return problems


def _combinations(per: Sequence[str], combos: Sequence[tuple[str, ...]]) -> str:
    """`in 2021–2023, 2025` for years alone; else `for year 2024 and server_type ai; …`."""
    if not per:
        return "in the file"
    if list(per) == ["year"] and all(combo[0].lstrip("-").isdigit() for combo in combos):
        return "in " + year_ranges(sorted(int(combo[0]) for combo in combos))
    listed = [" and ".join(f"{n} {v}" for n, v in zip(per, combo, strict=True)) for combo in combos]
    return "for " + "; ".join(listed)


# ---------------------------------------------------------------------- 3. derived bounds


def _derived_problems(context: _Context, derived: Mapping[str, Any]) -> list[Problem]:
    name, numerator, denominator = derived["name"], derived["numerator"], derived["denominator"]
    low, high = derived.get("min"), derived.get("max")
    _require(context, [numerator, denominator], f"derived {name}")
    n, d = _q(numerator), _q(denominator)
    outside = " or ".join(
        [
            *([f"ratio < {float(low)!r}"] if low is not None else []),
            *([f"ratio > {float(high)!r}"] if high is not None else []),
        ]
    )
    if not outside:
        return []
    rows = context.connection.execute(
        f"""
        select _row_number, {n}, {d}, ratio from (
            select _row_number, {n}, {d},
                case when {d} = 0 then sign({n}) * 'inf'::DOUBLE
                     else {n}::DOUBLE / {d}::DOUBLE end as ratio
            from {context.candidate}
            where {n} is not null and {d} is not null and not ({n} = 0 and {d} = 0)
        )
        where {outside}
        order by _row_number
        """
    ).fetchall()
    if low is not None and high is not None:
        bounds = f"within [{low}, {high}]"
    elif high is not None:
        bounds = f"at most {high}"
    else:
        bounds = f"at least {low}"
    return [
        context.problem(
            OUT_OF_RANGE,
            row,
            numerator,
            _plain(top),
            f"{name} = {numerator} ÷ {denominator} {bounds}, found "
            + (
                f"{'∞' if ratio > 0 else '-∞'} ({denominator} is 0)"
                if math.isinf(ratio)
                else _found(ratio, low, high)
            ),
        )
        for row, top, _bottom, ratio in rows
    ]


def _found(ratio: float, low: float | None, high: float | None) -> str:
    """The ratio to two decimals, or as many more as it takes to show it is out of bounds."""
    for digits in range(2, 8):
        text = f"{ratio:.{digits}f}"
        shown = float(text)
        if (low is not None and shown < low) or (high is not None and shown > high):
            return text
    return repr(ratio)


# ------------------------------------------------------------------------- 4. plausibility


def _match_key(audits: Mapping[str, Any]) -> list[str]:
    keys = audits.get("keys") or ()
    return list(keys[0]) if keys else _grain(audits.get("complete"))


def _log_ratio(new: str, old: str) -> str:
    """SQL: log10 |new ÷ old|, NULL when either is zero or empty (never ±inf or NaN, which a
    cast to INTEGER would refuse: aggregates evaluate their argument before their filter)."""
    return f"log10(abs(nullif({new}, 0)::DOUBLE / nullif({old}, 0)::DOUBLE))"


def _is_move(new: str, old: str) -> str:
    """SQL: new ÷ old is within 10^±POWER_TOLERANCE of a power of ten other than 1. Equal
    values are rejected first, so that a re-send of mostly unchanged values costs no log10."""
    ratio = _log_ratio(new, old)
    return (
        f"({new} <> {old} and ({new} > 0) = ({old} > 0) "
        f"and abs({ratio}) >= {1 - POWER_TOLERANCE} "
        f"and abs({ratio} - round({ratio})) <= {POWER_TOLERANCE})"
    )


def _power_of(new: str, old: str) -> str:
    return f"round({_log_ratio(new, old)})::INTEGER"


def _implausible(moved: int, matched: int) -> bool:
    return moved >= MIN_MOVED and moved >= MIN_MOVED_SHARE * matched


def _first_per_key(
    connection: duckdb.DuckDBPyConnection,
    relation: str,
    key: Sequence[str],
    columns: str,
    known_unique: bool = False,
) -> str:
    """SQL for the relation's rows with a complete key, only the first of a repeated key (so
    that a repeated key cannot multiply the match); the window only when a key repeats."""
    key_sql = ", ".join(_q(column) for column in key)
    not_null = " and ".join(f"{_q(column)} is not null" for column in key)
    repeats = (
        None
        if known_unique
        else connection.execute(
            f"select exists (select 1 from {relation} where {not_null} "
            f"group by {key_sql} having count(*) > 1)"
        ).fetchone()
    )
    first = (
        f" qualify row_number() over (partition by {key_sql} order by _row_number) = 1"
        if repeats and repeats[0]
        else ""
    )
    return f"select {columns} from {relation} where {not_null}{first}"


def _record_change_problems(
    context: _Context, previous: str, key: Sequence[str], candidate_unique: bool
) -> list[Problem]:
    if not key:
        return []
    _require(context, key, f"keys {list(key)}")
    old_types = _columns(context.connection, previous)
    skipped = set(key) | {"_row_number"}
    measures = [
        column_spec.name
        for column_spec in context.spec.column_specs
        if column_spec.name not in skipped
        and column_spec.kind != "year"
        and context.types.get(column_spec.name, "").startswith(_NUMERIC_TYPES)
        and old_types.get(column_spec.name, "").startswith(_NUMERIC_TYPES)
    ]
    if not measures:
        return []
    connection = context.connection
    key_sql = ", ".join(_q(column) for column in key)
    kept = ", ".join([key_sql, *(_q(column) for column in measures)])
    new = _first_per_key(
        connection, context.candidate, key, f"{kept}, _row_number", candidate_unique
    )
    old = _first_per_key(connection, previous, key, kept)
    pairs = ", ".join(
        f"c.{_q(column)} as new_{i}, p.{_q(column)} as old_{i}" for i, column in enumerate(measures)
    )
    matched = f"select c._row_number, {pairs} from ({new}) as c join ({old}) as p using ({key_sql})"
    # First pass, no logarithms: per column the matched pairs (both non-zero) and the changed
    # ones; a column with too few changed values cannot have enough moved ones.
    counts = connection.execute(
        "select "
        + ", ".join(
            f"sum((new_{i} <> 0 and old_{i} <> 0)::BIGINT), sum((new_{i} <> old_{i})::BIGINT)"
            for i in range(len(measures))
        )
        + f" from ({matched})"
    ).fetchone()
    assert counts is not None
    matched_counts = {i: counts[2 * i] or 0 for i in range(len(measures))}
    suspects = [
        i for i in matched_counts if _implausible(counts[2 * i + 1] or 0, matched_counts[i])
    ]
    if not suspects:
        return []
    # Second pass, over the changed rows of the suspect columns only: the moved values, their
    # usual power of ten and the first few.
    moves = {i: _is_move(f"new_{i}", f"old_{i}") for i in suspects}
    found = connection.execute(
        "select "
        + ", ".join(
            f"count(*) filter (where {moves[i]}), "
            f"mode({_power_of(f'new_{i}', f'old_{i}')}) filter (where {moves[i]}), "
            f"arg_min([_row_number::DOUBLE, new_{i}::DOUBLE, old_{i}::DOUBLE], _row_number, "
            f"{LISTED_MOVES + 1}) filter (where {moves[i]})"
            for i in suspects
        )
        + f" from ({matched}) where "
        + " or ".join(f"new_{i} <> old_{i}" for i in suspects)
    ).fetchone()
    assert found is not None
    problems = []
    for position, i in enumerate(suspects):
        column, pairs_count = measures[i], matched_counts[i]
        moved, power, examples = found[3 * position : 3 * position + 3]
        if not _implausible(moved, pairs_count):
            continue
        first, *more = sorted(examples)
        row, value, old_value = int(first[0]), first[1], first[2]
        if context.types[column].startswith(_INTEGER_TYPES):
            value = int(value)
        also = ", ".join(str(int(other[0])) for other in more)
        also = f", also rows {also}{' …' if moved > len(examples) else ''}" if more else ""
        problems.append(
            context.problem(
                IMPLAUSIBLE_CHANGE,
                row,
                column,
                _plain(value),
                f"about {_plain(old_value, 6)} as in the delivery in force ({moved} of "
                f"{pairs_count} matched values of {column} moved by {_power(power)}{also}: "
                f"delivered in another unit?) unless the file declares itself a revision",
            )
        )
    return problems


def _statistics_change_problems(context: _Context, previous: str) -> list[Problem]:
    _require(context, [*_STATISTICS_KEY, "unit", "value"], "plausibility")
    connection = context.connection
    units = [
        row[0]
        for row in connection.execute(
            f"select distinct unit from {context.candidate} where unit is not null "
            f"union select distinct unit from {previous} where unit is not null"
        ).fetchall()
    ]
    factors = [context.reference.unit_factors.get(normalise(unit)) for unit in units]
    key_sql = ", ".join(_q(column) for column in _STATISTICS_KEY)
    not_null = " and ".join(f"{_q(column)} is not null" for column in _STATISTICS_KEY)
    column_sql = "source_column" if "source_column" in context.types else "NULL::VARCHAR"
    text_sql = "value_text" if "value_text" in context.types else "value::VARCHAR"

    def canonical(relation: str, extra: str) -> str:
        # The unit as written → its factor; a cell without a unit counts as in the canonical
        # one, a cell in an unknown unit (the validation's business) is left out.
        return f"""
            select {key_sql}, value * coalesce(f.factor, 1.0) as canonical, {extra}
            from {relation} as t left join factors as f on t.unit = f.unit_as_delivered
            where {not_null} and value is not null and (t.unit is null or f.factor is not null)
            qualify row_number() over (partition by {key_sql} order by _row_number) = 1
        """

    new = canonical(
        context.candidate,
        f"_row_number, {column_sql} as cell_column, {text_sql} as cell_text, value, t.unit",
    )
    matched = f"""
        with factors as (
            select unnest(?::VARCHAR[]) as unit_as_delivered, unnest(?::DOUBLE[]) as factor
        )
        select c.statistic, c._row_number, c.cell_column, c.cell_text, c.unit, c.value,
            c.canonical as new_canonical, p.canonical as old_canonical
        from ({new}) as c join ({canonical(previous, "_row_number")}) as p using ({key_sql})
    """
    parameters: list[Any] = [units, factors]
    moved_sql = _is_move("new_canonical", "old_canonical")
    # Per statistic, and per statistic and column: a wide table whose one year column of many
    # slipped is held for that column even when the statistic as a whole stays below 20 %.
    totals = connection.execute(
        f"""
        select statistic, cell_column, grouping(cell_column) = 1 as whole,
            count(*) filter (where new_canonical <> 0 and old_canonical <> 0),
            count(*) filter (where {moved_sql}),
            mode({_power_of("new_canonical", "old_canonical")}) filter (where {moved_sql})
        from ({matched})
        group by grouping sets ((statistic), (statistic, cell_column))
        order by statistic, whole desc, cell_column
        """,
        parameters,
    ).fetchall()
    problems = []
    held: set[str] = set()  # statistics held as a whole: their columns are not listed again
    for statistic, cell_column, whole, pairs_count, moved, power in totals:
        if statistic in held or not _implausible(moved, pairs_count):
            continue
        if whole:
            held.add(statistic)
        where = "statistic = ?" if whole else "statistic = ? and cell_column = ?"
        examples = connection.execute(
            f"""
            select _row_number, cell_column, cell_text, unit, value, new_canonical,
                old_canonical
            from ({matched})
            where {where} and {moved_sql}
            order by _row_number, cell_column limit {LISTED_MOVES + 1}
            """,
            [*parameters, statistic, *([] if whole else [cell_column])],
        ).fetchall()
        (row, first_column, cell_text, unit, value, new_canonical, old_canonical), *more = examples
        old_in_unit = old_canonical * value / new_canonical  # in the candidate's unit
        also = ", ".join(
            f'row {other[0]} "{other[1]}"' if whole and other[1] is not None else f"row {other[0]}"
            for other in more
        )
        also = f", also {also}{' …' if moved > len(examples) else ''}" if more else ""
        unit_text = f" {unit}" if unit else ""
        scope = statistic if whole else f'{statistic} in column "{cell_column}"'
        problems.append(
            context.problem(
                IMPLAUSIBLE_CHANGE,
                row,
                first_column,
                cell_text if cell_text is not None else _plain(value),
                f"about {_plain(old_in_unit, 6)}{unit_text} as in the delivery in force "
                f"({moved} of {pairs_count} matched values of {scope} moved by "
                f"{_power(power)}{also}{_unit_hint(context.reference, unit, power)}) "
                f"unless the file declares itself a revision",
            )
        )
    return problems


def _unit_hint(reference: _Reference, unit: str | None, power: int) -> str:
    """`: 万元 figures labelled 亿元?` when a unit of the seeds explains the power of ten."""
    if not unit:
        return ": delivered in another unit?"
    key = normalise(unit)
    factor, canonical = reference.unit_factors.get(key), reference.canonical_units.get(key)
    if factor is None or canonical is None:
        return ": delivered in another unit?"
    meant = factor / 10**power
    for other, other_factor in reference.units_by_canonical.get(canonical, ()):
        if math.isclose(other_factor, meant, rel_tol=1e-9):
            return f": {other} figures labelled {unit}?"
    return ": delivered in another unit?"


# ------------------------------------------------------------------------------ formatting


def _power(power: int) -> str:
    return f"×10^{power}"


def _plain(value: Any, significant: int | None = None) -> str:
    """A number as a person writes it: no exponent, no trailing zeros (`6240.4`, `1409`)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if significant is not None and value != 0:
        decimals = max(0, significant - 1 - math.floor(math.log10(abs(value))))
        text = f"{value:.{decimals}f}"
    else:
        text = f"{value:.15g}" if abs(value) < 1e15 else f"{value:.0f}"
        if "e" in text:
            text = f"{value:.20f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def audit_delivery(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    candidate: str,
    delivery: Delivery,
    previous: str | None,
) -> list[Problem]:
    """The audits as `suanli.intake.delivery.store` and the check command call them: a
    delivery declares itself a revision by its file name."""
    return audit_candidate(
        connection, spec, candidate, delivery.file_name, previous=previous,
        declares_revision=declares_revision(delivery.file_name),
    )  # fmt: skip

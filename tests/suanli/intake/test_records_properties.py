"""Property: intake, vectorised in DuckDB (SQL fast paths, then `parse_cell` on the distinct
texts they leave), types every cell exactly as `contract.parse_cell` does.

For every column kind, cells of arbitrary text — and text made to look like what agencies
write: numbers with separators, full-width digits, signs, exponents and percent signs; years,
dates, region names and codes in their spellings; no-data markers, flags, whitespace and
control characters — are written as a CSV delivery (quoted where CSV needs it, and sometimes
where it does not) and read by `load_candidate` into an in-memory DuckDB. Each cell must come
out as `parse_cell` says: the same typed value of the same type (or null), or the same problem
kind and expected text, on the cell's row, with the text as delivered.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suanli.intake.catalog import ColumnSpec, SourceSpec
from suanli.intake.contract import CellContext, Parsed, parse_cell
from suanli.intake.errors import DeliveryError
from suanli.intake.parsers.cells import NO_DATA_MARKERS
from suanli.intake.records import load_candidate
from suanli.intake.regions import REFERENCE_DIR, default_resolver, read_seed

YEAR_NOW = 2026
PARTITION = "2025"
ID = ColumnSpec("id", "code")
# One in-memory database; each delivery is read on a cursor of its own, whose temporary tables
# go with it (a new database per example would cost more than the intake itself).
DATABASE = duckdb.connect()
# Examples per property: the loaded Hypothesis profile's (tests/conftest.py: 60, `fast` 15).
PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# ------------------------------------------------------------------------------ the cells

# Python's whitespace (what str.strip() removes) and a few characters that only look empty.
WHITESPACE = " \t\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2003\u2028\u202f\u3000"
INVISIBLE = "\x01\x02\x7f\u200b\u200d\ufeff"
FULL_WIDTH = str.maketrans("0123456789+-.,%eEYN年", "０１２３４５６７８９＋－．，％ｅＥＹＮ年")


def _seed_column(name: str, *columns: str) -> list[str]:
    return sorted({row[c] for row in read_seed(REFERENCE_DIR / name) for c in columns if row[c]})


PROVINCE_SPELLINGS = _seed_column(
    "provinces.csv", "province_code", "name_zh", "short_name_zh", "name_en"
) + _seed_column("province_aliases.csv", "alias")
PROVINCE_CODES = _seed_column("provinces.csv", "province_code")
CITY_SPELLINGS = _seed_column("cities.csv", "city_code", "name_zh", "name_en") + _seed_column(
    "city_aliases.csv", "alias"
)
# No-data markers in the spellings they come in (missing values for every kind but text).
MARKERS = [*NO_DATA_MARKERS, "na", "Na", "ＮＡ", "——", "……", "n/a", "N/A", "-- "]
OTHER_SPELLINGS = [
    "Y", "N", "y", "n", "是", "否", "yes", "No", "TRUE", "false", "对", "1", "0", "published",
    "PUBLISHED", "Ｓｙｎｔｈｅｔｉｃ",
    "derived ", "imputed", "official", "DC-110000-0001", "HPC_01", "a.b:c/d#e", "A B",
    "9223372036854775807", "9223372036854775808", "999999999999999999", "1e308", "1e309",
    "-1e-400", "1.0000000000000001", "NaN", "inf", "Infinity", "0x1F", "1_000",
]  # fmt: skip


@st.composite
def decorated(draw: st.DrawFn, core: str) -> str:
    """The core as people type it: full-width in part or whole, padded with whitespace."""
    if draw(st.booleans()):
        start, end = sorted(draw(st.tuples(*[st.integers(0, len(core))] * 2)))
        core = core[:start] + core[start:end].translate(FULL_WIDTH) + core[end:]
    if draw(st.integers(0, 3)) == 0:
        core = draw(st.text(WHITESPACE, max_size=2)) + core + draw(st.text(WHITESPACE, max_size=2))
    return core


@st.composite
def number_texts(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(["", "", "", "-", "+", "－", "- "]))
    whole = draw(st.one_of(st.integers(0, 10**4), st.integers(0, 10**20)))
    digits = str(whole) if draw(st.booleans()) else draw(st.sampled_from(["0", "00", "007"]))
    if draw(st.booleans()):
        # Groups of three; now and then a group of two or four (a typo, not a number).
        groups, rest = [], digits
        while len(rest) > 3:
            size = 3 if draw(st.integers(0, 9)) else draw(st.sampled_from([2, 4]))
            groups.insert(0, rest[-size:])
            rest = rest[:-size]
        digits = ",".join([rest, *groups]) if rest else ",".join(groups)
    text = sign + digits
    if draw(st.booleans()):
        text += "." + draw(st.text("0123456789", min_size=draw(st.sampled_from([0, 1])),
                                   max_size=18))  # fmt: skip
    if draw(st.integers(0, 4)) == 0:
        exponent = draw(st.sampled_from(["", "+", "-"])) + str(draw(st.integers(0, 400)))
        text += draw(st.sampled_from(["e", "E"])) + exponent
    if draw(st.integers(0, 4)) == 0:
        text += draw(st.sampled_from(["%", " %", "％", "%%"]))
    return draw(decorated(text))


@st.composite
def year_texts(draw: st.DrawFn) -> str:
    year = draw(st.one_of(st.integers(1940, 2035), st.integers(0, 99999)))
    text = str(year).zfill(draw(st.sampled_from([0, 4])))
    text += draw(st.sampled_from(["", "", "年", " 年", ".0"]))
    return draw(decorated(text))


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    year = draw(st.one_of(st.integers(1990, 2030), st.integers(0, 3000)))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    pad = draw(st.booleans())
    parts = [str(year), f"{month:02d}" if pad else str(month), f"{day:02d}" if pad else str(day)]
    if draw(st.integers(0, 3)) == 0:
        text = f"{parts[0]}年{parts[1]}月{parts[2]}" + draw(st.sampled_from(["日", ""]))
    else:
        separator = draw(st.sampled_from(["-", "-", "/", ".", " - ", "_"]))
        text = separator.join(parts)
    return draw(decorated(text))


@st.composite
def region_texts(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(PROVINCE_SPELLINGS + CITY_SPELLINGS))
    if text.isdigit() and draw(st.booleans()):
        text += "000000"  # the 12-digit statistical code
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from([" ", "　", ""])) + text[cut:]
    if draw(st.booleans()):
        text = draw(st.sampled_from([str.upper, str.lower, str.title]))(text)
    return draw(decorated(text))


CELLS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
    st.text(WHITESPACE + INVISIBLE + 'a1,"\r\n', max_size=4),
    number_texts(),
    year_texts(),
    date_texts(),
    region_texts(),
    st.sampled_from(MARKERS),
    st.sampled_from(OTHER_SPELLINGS).flatmap(decorated),
)
# A cell and whether to quote it although CSV does not need it.
QUOTED_CELLS = st.tuples(CELLS, st.booleans())

# ------------------------------------------------------------------------ the delivery


@dataclass(frozen=True)
class Case:
    column: ColumnSpec
    yearly: bool = False  # a yearly delivery: its year cells must say PARTITION

    @property
    def id(self) -> str:
        column, name = self.column, self.column.kind
        name += "" if column.minimum is None else f"-from{column.minimum:g}"
        name += "" if column.maximum is None else f"-to{column.maximum:g}"
        return name + ("-nullable" if column.nullable else "") + ("-yearly" if self.yearly else "")


ENUM = ("published", "derived", "synthetic", "imputed", "智能算力", "general")
CASES = [
    Case(ColumnSpec("value", "text")),
    Case(ColumnSpec("value", "text", nullable=True)),
    Case(ColumnSpec("value", "code")),
    Case(ColumnSpec("value", "number")),
    Case(ColumnSpec("value", "number", minimum=0.0)),
    Case(ColumnSpec("value", "number", nullable=True, minimum=-60.0, maximum=60.0)),
    Case(ColumnSpec("value", "count")),
    Case(ColumnSpec("value", "count", nullable=True)),
    Case(ColumnSpec("value", "percent")),
    Case(ColumnSpec("value", "ratio")),
    Case(ColumnSpec("value", "year")),
    Case(ColumnSpec("value", "year"), yearly=True),
    Case(ColumnSpec("value", "date")),
    Case(ColumnSpec("value", "date", nullable=True)),
    Case(ColumnSpec("value", "province")),
    Case(ColumnSpec("value", "flag")),
    Case(ColumnSpec("value", "enum", values=ENUM)),
]
CITY = ColumnSpec("city", "city", within="province")
PROVINCE = ColumnSpec("province", "province")


def csv_line(cells: list[tuple[str, bool]]) -> str:
    def field(text: str, quote: bool) -> str:
        if quote or any(character in text for character in ',"\r\n'):
            return '"' + text.replace('"', '""') + '"'
        return text

    return ",".join(field(text, quote) for text, quote in cells) + "\n"


def deliver(columns: tuple[ColumnSpec, ...], rows: list[list[tuple[str, bool]]], yearly: bool):
    """The rows as a CSV delivery (an id first), loaded: the candidate's rows in order, and
    its problems by (spreadsheet row, column)."""
    spec = SourceSpec("property", "property test", "property.csv", yearly,
                      tuple(c.name for c in (ID, *columns)), (ID, *columns))  # fmt: skip
    text = ",".join(spec.columns) + "\n"
    for number, cells in enumerate(rows, start=2):
        text += csv_line([(f"r{number}", False), *cells])
    connection = DATABASE.cursor()
    try:
        candidate = load_candidate(
            connection, spec, "property.csv", text.encode(),
            PARTITION if yearly else None, year_now=YEAR_NOW,
        )  # fmt: skip
    except DeliveryError as error:
        pytest.fail(f"intake refused the whole file, parse_cell types each cell:\n{error}")
    names = ", ".join(f'"{c.name}"' for c in columns)
    typed = connection.execute(
        f"select _row_number, id, {names} from {candidate.table} order by _row_number"
    ).fetchall()
    problems = {(p.row, p.column): p for p in candidate.problems}
    connection.close()
    assert [row[:2] for row in typed] == [(n, f"r{n}") for n in range(2, len(rows) + 2)]
    return typed, problems


def same_value(found: object, wanted: object) -> bool:
    if wanted is None or found is None:
        return found is wanted
    if type(found) is not type(wanted) or found != wanted:
        return False
    return not isinstance(wanted, float) or math.copysign(1, found) == math.copysign(1, wanted)


def check(column: ColumnSpec, text: str, expected: Parsed, found: object, problem) -> None:
    """The intake's typed value and problem for a cell are parse_cell's, with the text as
    delivered."""
    where = f"{column.kind} cell {text!r} ({unicodedata.name(text[0], '?') if text else 'empty'})"
    assert same_value(found, expected.value), (
        f"{where}: intake typed it {found!r}, parse_cell {expected.value!r}"
    )
    found_problem = (None, None) if problem is None else (problem.kind, problem.expected)
    assert found_problem == (expected.problem, expected.expected), (
        f"{where}: intake says {found_problem}, parse_cell {(expected.problem, expected.expected)}"
    )
    if problem is not None:
        assert problem.value == text, f"{where}: intake names the value {problem.value!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
@PROPERTY
@given(rows=st.lists(QUOTED_CELLS, min_size=1, max_size=8))
def test_intake_types_every_cell_as_parse_cell_does(case: Case, rows) -> None:
    context = CellContext(YEAR_NOW, int(PARTITION) if case.yearly else None)
    typed, problems = deliver((case.column,), [[cell] for cell in rows], case.yearly)

    for (row, _, found), (text, _) in zip(typed, rows, strict=True):
        expected = parse_cell(case.column, text, context, default_resolver())
        check(case.column, text, expected, found, problems.get((row, "value")))


PROVINCE_CELLS = st.tuples(st.one_of(st.sampled_from(PROVINCE_CODES), region_texts(), CELLS),
                           st.booleans())  # fmt: skip
CITY_CELLS = st.tuples(st.one_of(region_texts(), CELLS), st.booleans())


@PROPERTY
@given(rows=st.lists(st.tuples(PROVINCE_CELLS, CITY_CELLS), min_size=1, max_size=8))
def test_intake_types_cities_within_their_rows_province_as_parse_cell_does(rows) -> None:
    typed, problems = deliver((PROVINCE, CITY), [list(row) for row in rows], False)

    resolver = default_resolver()
    for (row, _, province, city), ((province_text, _), (city_text, _)) in zip(
        typed, rows, strict=True
    ):
        wanted = parse_cell(PROVINCE, province_text, CellContext(YEAR_NOW), resolver)
        check(PROVINCE, province_text, wanted, province, problems.get((row, "province")))
        within = CellContext(YEAR_NOW, province_code=wanted.value)
        expected = parse_cell(CITY, city_text, within, resolver)
        check(CITY, city_text, expected, city, problems.get((row, "city")))

"""Audits of a candidate delivery (`suanli.intake.audits`), as specifications.

Candidates are small DuckDB relations in the typed layout intake produces: each declared column
under its name and type, province columns as GB/T 2260 codes plus `<column>_as_delivered`,
`_row_number` as a spreadsheet shows it (header = 1). Each rule has a passing and a failing
case stating the exact line the agency reads; every bundled snapshot file passes them all.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

from suanli.intake.audits import (
    MIN_MOVED,
    MIN_MOVED_SHARE,
    audit_candidate,
    declares_revision,
)
from suanli.intake.catalog import SourceSpec, source_specs
from suanli.intake.delivery import Delivery
from suanli.intake.errors import (
    DUPLICATE_KEY,
    DUPLICATE_REGION,
    IMPLAUSIBLE_CHANGE,
    MISSING_REGION,
    OUT_OF_RANGE,
)
from suanli.intake.readers import reader_for
from suanli.intake.validation import RegionLookup
from suanli.settings import SNAPSHOT_DIR
from suanli.transform.assets import load_manifest

REGIONS = RegionLookup.from_seeds()
PROVINCES = REGIONS.province_codes  # the 31 codes, 110000 … 650000


@pytest.fixture(scope="module")
def specs() -> dict[str, SourceSpec]:
    return {spec.name: spec for spec in source_specs(load_manifest())}


@pytest.fixture
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


def table(
    connection: duckdb.DuckDBPyConnection,
    name: str,
    columns: dict[str, str],
    rows: Sequence[Sequence[Any]],
) -> str:
    """A relation `name` with the typed columns (`_row_number` first rows from 2 unless given)."""
    if "_row_number" not in columns:
        columns = {**columns, "_row_number": "BIGINT"}
        rows = [(*row, number) for number, row in enumerate(rows, start=2)]
    definition = ", ".join(f'"{column}" {kind}' for column, kind in columns.items())
    connection.execute(f"create or replace table {name} ({definition})")
    if rows:
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f"insert into {name} values ({marks})", [list(r) for r in rows])
    return name


def lines(problems) -> list[str]:
    return [str(problem) for problem in problems]


# ------------------------------------------------------------------- the declarations


def test_every_record_source_declares_audits_on_its_own_columns(
    specs: dict[str, SourceSpec],
) -> None:
    """`meta.delivery.audits` reaches `SourceSpec.audits` through the dbt manifest, and names
    only declared columns (a typo would otherwise surface as an error at intake)."""
    for spec in specs.values():
        # statistics tables are checked by their parser; a telemetry month's duplicated hours
        # by the intake's own pass in centre and hour order (suanli.intake.telemetry)
        if spec.format in ("statistics", "telemetry"):
            continue
        assert spec.audits, f"{spec.name} declares no audits"
        named = [column for key in spec.audits.get("keys", ()) for column in key]
        if complete := spec.audits.get("complete"):
            assert complete["unit"] in ("province", "city")
            named += [complete.get("column", complete["unit"]), *complete.get("per", ())]
        for bound in spec.audits.get("derived", ()):
            assert {"name", "numerator", "denominator"} <= set(bound)
            assert "min" in bound or "max" in bound
            named += [bound["numerator"], bound["denominator"]]
        assert set(named) <= set(spec.columns), (spec.name, set(named) - set(spec.columns))


# ------------------------------------------------------------------------ 1. declared keys

REGISTRY = {
    "centre_id": "VARCHAR",
    "province": "VARCHAR",
    "province_as_delivered": "VARCHAR",
    "total_energy_mwh": "DOUBLE",
    "it_energy_mwh": "DOUBLE",
    "co2_tonnes": "DOUBLE",
    "clean_energy_mwh": "DOUBLE",
    "racks_fitted_out": "BIGINT",
    "racks_used": "BIGINT",
    "revenue_wan_yuan": "DOUBLE",
}


def centre(
    centre_id: str | None,
    *,
    total: float | None = 1500.0,
    it: float | None = 1000.0,
    co2: float | None = 800.0,
    clean: float | None = 300.0,
    fitted: int | None = 100,
    used: int | None = 80,
    revenue: float | None = 6240.4,
) -> tuple:
    return (centre_id, "110000", "北京", total, it, co2, clean, fitted, used, revenue)


def test_each_declared_key_once(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    spec = specs["compute_centres"]
    assert spec.audits["keys"] == [["centre_id"]]
    rows = [centre(f"DC-000{i}") for i in range(1, 8)] + [centre(None), centre(None)]
    unique = table(connection, "unique_ids", REGISTRY, rows)
    # Empty keys are the cell checks' business, not a duplicate.
    assert audit_candidate(connection, spec, unique, "registry.csv") == []

    rows = [centre(f"DC-000{i}") for i in range(1, 8)] + [centre("DC-0001"), centre("DC-0003")]
    repeated = table(connection, "repeated_ids", REGISTRY, rows)
    problems = audit_candidate(connection, spec, repeated, "registry.csv")
    assert {problem.kind for problem in problems} == {DUPLICATE_KEY}
    assert lines(problems) == [
        'registry.csv: row 9, column "centre_id": value "DC-0001" — expected each centre_id '
        "once (DC-0001 is already in row 2) (duplicate key)",
        'registry.csv: row 10, column "centre_id": value "DC-0003" — expected each centre_id '
        "once (DC-0003 is already in row 4) (duplicate key)",
    ]
    assert problems[0].row == 9 and problems[0].column == "centre_id"


def test_composite_key_names_every_key_column(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    spec = dataclasses.replace(
        specs["server_shipments"], audits={"keys": [["province", "year", "server_type"]]}
    )
    columns = {
        "province": "VARCHAR",
        "province_as_delivered": "VARCHAR",
        "year": "INTEGER",
        "server_type": "VARCHAR",
        "units": "BIGINT",
    }
    rows = [
        ("110000", "北京市", 2024, "general", 10),
        ("110000", "北京市", 2024, "ai", 2),
        ("120000", "天津", 2024, "general", 3),
    ]
    assert audit_candidate(connection, spec, table(connection, "ok", columns, rows), "s.csv") == []
    rows.append(("110000", "北京", 2024, "ai", 4))
    problems = audit_candidate(connection, spec, table(connection, "dup", columns, rows), "s.csv")
    assert lines(problems) == [
        's.csv: row 5, column "province, year, server_type": value "北京, 2024, ai" — expected '
        "each (province, year, server_type) once (北京市 2024 ai is already in row 3) "
        "(duplicate key)"
    ]


# ------------------------------------------------------------------------- 2. completeness

PROVINCE_TABLE = {
    "province": "VARCHAR",
    "province_as_delivered": "VARCHAR",
    "year": "INTEGER",
    "broadband_ports": "BIGINT",
}


def province_rows(year: int, codes: Sequence[str] = PROVINCES) -> list[tuple]:
    return [(code, REGIONS.name(code), year, 1_000_000 + i) for i, code in enumerate(codes)]


def test_each_province_once_per_year(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    spec = specs["network_stats"]
    assert spec.audits["complete"] == {"unit": "province", "per": ["year"]}
    complete = table(connection, "complete", PROVINCE_TABLE, province_rows(2024))
    assert audit_candidate(connection, spec, complete, "network_stats_2024.csv") == []

    # 西藏 (540000) missing, 北京 sent twice (as 北京 in row 33).
    rows = [row for row in province_rows(2024) if row[0] != "540000"]
    rows.append(("110000", "北京", 2024, 7))
    problems = audit_candidate(
        connection, spec, table(connection, "gappy", PROVINCE_TABLE, rows), "net.csv"
    )
    assert lines(problems) == [
        'net.csv: row 32, column "province": value "北京" — expected each province once per '
        "year (北京市 is already in row 2) (duplicate region)",
        'net.csv: column "province" — expected a row for 西藏自治区 (540000) in 2024 '
        "(missing region)",
    ]
    assert [problem.kind for problem in problems] == [DUPLICATE_REGION, MISSING_REGION]


def test_completeness_per_year_and_type_reports_a_repeat_once(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    """server_shipments declares the same grain as key and completeness: one problem."""
    spec = specs["server_shipments"]
    assert spec.audits["complete"] == {"unit": "province", "per": ["year", "server_type"]}
    columns = {**PROVINCE_TABLE, "server_type": "VARCHAR"}
    rows = [(*row, kind) for kind in ("general", "ai") for row in province_rows(2024)]
    assert (
        audit_candidate(connection, spec, table(connection, "every_row", columns, rows), "s.csv")
        == []
    )

    rows = [row for row in rows if (row[0], row[4]) != ("650000", "ai")]
    rows.append(("110000", "北京", 2024, 9, "ai"))
    problems = audit_candidate(connection, spec, table(connection, "part", columns, rows), "s.csv")
    assert lines(problems) == [
        's.csv: row 63, column "province": value "北京" — expected each province once per year '
        "and server_type (北京市 is already in row 33) (duplicate region)",
        's.csv: column "province" — expected a row for 新疆维吾尔自治区 (650000) for year 2024 '
        "and server_type ai (missing region)",
    ]


def test_completeness_of_a_city_table_uses_the_hosting_cities(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    spec = dataclasses.replace(
        specs["network_stats"], audits={"complete": {"unit": "city", "per": ["year"]}}
    )
    columns = {"city": "VARCHAR", "city_as_delivered": "VARCHAR", "year": "INTEGER"}
    hosts = ["130100", "130200"]
    rows = [("130100", "石家庄", 2024)]
    problems = audit_candidate(
        connection, spec, table(connection, "cities", columns, rows), "c.csv",
        hosting_city_codes=hosts,
    )  # fmt: skip
    assert lines(problems) == [
        'c.csv: column "city" — expected a row for 唐山市 (130200) in 2024 (missing region)'
    ]


# ---------------------------------------------------------------------- 3. derived bounds


def test_derived_quantities_within_physical_bounds(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    spec = specs["compute_centres"]
    assert [bound["name"] for bound in spec.audits["derived"]] == [
        "PUE",
        "CUE",
        "rack occupancy",
        "clean-energy share",
    ]
    fine = [
        centre("DC-1"),
        centre("DC-2", total=1000.0, it=1000.0, co2=0.0, clean=1000.0, used=100),  # PUE 1, CUE 0
        centre("DC-3", total=0.0, it=0.0, co2=0.0, clean=0.0, fitted=0, used=0),  # not in use
        centre("DC-4", total=None, it=None, co2=None, clean=None, fitted=None, used=None),
    ]
    assert (
        audit_candidate(connection, spec, table(connection, "fine", REGISTRY, fine), "r.csv") == []
    )

    broken = [
        centre("DC-1", total=900.0, it=1000.0, clean=100.0),  # PUE 0.90
        centre("DC-2", co2=800_000.0),  # kilograms delivered as tonnes: CUE 800
        centre("DC-3", fitted=0, used=5),  # occupied racks without fitted-out racks
        centre("DC-4", total=1500.0, clean=1502.0),  # more clean energy than energy
        centre("DC-5", fitted=100, used=None),  # an empty side: skipped
    ]
    problems = audit_candidate(
        connection, spec, table(connection, "broken", REGISTRY, broken), "registry.csv"
    )
    assert {problem.kind for problem in problems} == {OUT_OF_RANGE}
    assert lines(problems) == [
        'registry.csv: row 2, column "total_energy_mwh": value "900" — expected PUE = '
        "total_energy_mwh ÷ it_energy_mwh within [1.0, 3.0], found 0.90 (out of range)",
        'registry.csv: row 3, column "co2_tonnes": value "800000" — expected CUE = co2_tonnes ÷ '
        "it_energy_mwh within [0, 3.0], found 800.00 (out of range)",
        'registry.csv: row 4, column "racks_used": value "5" — expected rack occupancy = '
        "racks_used ÷ racks_fitted_out within [0, 1], found ∞ (racks_fitted_out is 0) "
        "(out of range)",
        'registry.csv: row 5, column "clean_energy_mwh": value "1502" — expected clean-energy '
        "share = clean_energy_mwh ÷ total_energy_mwh within [0, 1], found 1.001 "
        "(out of range)",
    ]


# ------------------------------------------------------------------------- 4. plausibility


def registry(connection: duckdb.DuckDBPyConnection, name: str, revenues: Sequence[float]) -> str:
    rows = [centre(f"DC-{i:04d}", revenue=value) for i, value in enumerate(revenues, start=1)]
    return table(connection, name, REGISTRY, rows)


def test_record_values_moved_by_a_power_of_ten_hold_the_delivery(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    spec = specs["compute_centres"]
    old = [6240.4, 6270.1, 5889.0, 8505.0, 7871.6, 8610.9, 120.5, 77.0, 1000.0, 3.3]
    previous = registry(connection, "previous", old)
    # A re-send with corrections of a few per cent, and a value that was empty before.
    resent = registry(connection, "resent", [v * 1.03 for v in old[:-1]] + [None])
    assert audit_candidate(connection, spec, resent, "r.csv", previous=previous) == []

    # 元 delivered in the 万元 column: every revenue × 10^4.
    in_yuan = registry(connection, "in_yuan", [v * 10_000 for v in old])
    problems = audit_candidate(connection, spec, in_yuan, "registry.csv", previous=previous)
    assert [problem.kind for problem in problems] == [IMPLAUSIBLE_CHANGE]
    assert lines(problems) == [
        'registry.csv: row 2, column "revenue_wan_yuan": value "62404000" — expected about '
        "6240.4 as in the delivery in force (10 of 10 matched values of revenue_wan_yuan moved "
        "by ×10^4, also rows 3, 4, 5, 6, 7 …: delivered in another unit?) unless the file "
        "declares itself a revision (implausible change)"
    ]
    # Declared a revision: the same file may become current.
    assert (
        audit_candidate(
            connection, spec, in_yuan, "registry.csv", previous=previous, declares_revision=True
        )
        == []
    )


def test_plausibility_thresholds(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    """Held from MIN_MOVED (3) values and MIN_MOVED_SHARE (20 %) of the matched ones."""
    assert (MIN_MOVED, MIN_MOVED_SHARE) == (3, 0.20)
    spec = specs["compute_centres"]

    def moved(count: int, of: int, factor: float = 10.0) -> list:
        base = [100.0 + i for i in range(of)]
        new = [v * factor if i < count else v for i, v in enumerate(base)]
        previous = registry(connection, "base", base)
        candidate = registry(connection, "candidate", new)
        return audit_candidate(connection, spec, candidate, "r.csv", previous=previous)

    assert moved(2, 5) == []  # 40 %, but two values are not a pattern
    assert moved(3, 16) == []  # 3 values, 19 %
    assert [p.kind for p in moved(3, 15)] == [IMPLAUSIBLE_CHANGE]  # 3 values, 20 %
    assert [p.kind for p in moved(3, 10, factor=1 / 1000)] == [IMPLAUSIBLE_CHANGE]
    assert moved(10, 10, factor=8.0) == []  # ×8 is not a power of ten (log10 0.903)
    assert [p.kind for p in moved(10, 10, factor=10.9)] == [IMPLAUSIBLE_CHANGE]  # within 0.05


def test_zeros_and_sign_changes_are_not_moves(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    """Matched pairs are those with both values non-zero; 0 → 5 and -5 → 50 never moved."""
    spec = specs["compute_centres"]
    previous = registry(connection, "signed_before", [0.0, 0.0, -5.0, 100.0, 200.0, 300.0])
    candidate = registry(connection, "signed_after", [5.0, 7.0, 50.0, 1000.0, 2000.0, 3000.0])
    problems = audit_candidate(connection, spec, candidate, "r.csv", previous=previous)
    assert [(problem.row, problem.column) for problem in problems] == [(5, "revenue_wan_yuan")]
    assert "(3 of 4 matched values of revenue_wan_yuan moved by ×10^1, also rows 6, 7:" in str(
        problems[0]
    )


STATISTICS = {
    "region": "VARCHAR",
    "region_as_delivered": "VARCHAR",
    "year": "INTEGER",
    "statistic": "VARCHAR",
    "unit": "VARCHAR",
    "value": "DOUBLE",
    "value_text": "VARCHAR",
    "source_row": "BIGINT",
    "source_column": "VARCHAR",
    "_row_number": "BIGINT",
}


def statistics_rows(unit: str, scale: float, years: Sequence[int] = (2024, 2023)) -> list[tuple]:
    """GDP of every province in `unit`, a wide table: one row per province from row 5."""
    rows = []
    for i, code in enumerate(PROVINCES):
        for year in years:
            value = round((1000.0 + 37.3 * i + year - 2000) * scale, 4)
            text = f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
            row = i + 5
            rows.append(
                (code, REGIONS.name(code), year, "gdp", unit, value, text, row, f"{year}年", row)
            )
    return rows


def test_statistics_compared_in_canonical_units(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    spec = specs["provincial_statistics"]
    previous = table(connection, "gdp_yi", STATISTICS, statistics_rows("亿元", 1.0))
    # The same numbers re-sent in 万元: ×10^4 as written, identical once converted.
    in_wan = table(connection, "gdp_wan", STATISTICS, statistics_rows("万元", 10_000.0))
    assert audit_candidate(connection, spec, in_wan, "gdp.csv", previous=previous) == []

    # 万元 numbers under a 亿元 heading.
    mislabelled = [(*row[:4], "亿元", *row[5:]) for row in statistics_rows("万元", 10_000.0)]
    candidate = table(connection, "gdp_mislabelled", STATISTICS, mislabelled)
    problems = audit_candidate(connection, spec, candidate, "gdp.csv", previous=previous)
    assert lines(problems) == [
        'gdp.csv: row 5, column "2023年": value "10230000" — expected about 1023 亿元 as in the '
        "delivery in force (62 of 62 matched values of gdp moved by ×10^4, also "
        'row 5 "2024年", row 6 "2023年", row 6 "2024年", row 7 "2023年", row 7 "2024年" …: '
        "万元 figures labelled 亿元?) unless the file declares itself a revision "
        "(implausible change)"
    ]
    assert (
        audit_candidate(
            connection, spec, candidate, "gdp.csv", previous=previous, declares_revision=True
        )
        == []
    )


def test_one_slipped_year_column_of_a_wide_table(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    """2015–2024, the 2024 column in 万元 under the table's 亿元: 10 % of the statistic, but
    the whole of its column."""
    spec = specs["provincial_statistics"]
    years = range(2015, 2025)
    previous = table(connection, "gdp_10y", STATISTICS, statistics_rows("亿元", 1.0, years))
    rows = [
        (*row[:5], row[5] * 10_000, f"{row[5] * 10_000:.0f}", *row[7:]) if row[2] == 2024 else row
        for row in statistics_rows("亿元", 1.0, years)
    ]
    candidate = table(connection, "gdp_10y_slipped", STATISTICS, rows)
    problems = audit_candidate(connection, spec, candidate, "gdp.csv", previous=previous)
    assert lines(problems) == [
        'gdp.csv: row 5, column "2024年": value "10240000" — expected about 1024 亿元 as in the '
        'delivery in force (31 of 31 matched values of gdp in column "2024年" moved by ×10^4, '
        "also row 6, row 7, row 8, row 9, row 10 …: 万元 figures labelled 亿元?) unless the file "
        "declares itself a revision (implausible change)"
    ]


def test_no_previous_delivery_no_plausibility(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    candidate = table(connection, "gdp_first", STATISTICS, statistics_rows("亿元", 10_000.0))
    assert audit_candidate(connection, specs["provincial_statistics"], candidate, "g.csv") == []


@pytest.mark.parametrize(
    ("file_name", "footnotes", "expected"),
    [
        ("分省GDP_修订.xlsx", (), True),
        ("gdp_revision_2024.csv", (), True),
        ("GDP (revised).csv", (), True),
        ("gdp.csv", ("注：2023年数据为第五次全国经济普查后的修订数。",), True),
        ("gdp.csv", ("说明: this file is a revision of gdp_2024.csv",), True),
        ("gdp.csv", ("Note: revised figures",), True),
        ("gdp.csv", ("注：", "1. 本表单位为亿元。", "2. 本文件为修订版。"), True),
        ("gdp.csv", (), False),
        ("revision/gdp.csv", (), False),  # a folder is not the file's name
        ("gdp_unrevised.csv", (), False),
        ("gdp.csv", ("注：2024年数据未修订。",), False),
        ("gdp.csv", ("数据来源：《中国统计年鉴》（修订版）",), False),  # a source, not this file
        ("gdp.csv", ("注：单位为亿元。", "数据来源：《统计年鉴》修订版"), False),
        ("gdp.csv", ("注：演示数据，由生成器合成。",), False),
    ],
)
def test_a_revision_declares_itself(file_name: str, footnotes: tuple, expected: bool) -> None:
    assert declares_revision(file_name, footnotes) is expected


# ---------------------------------------------------------------- the bundled snapshot passes

KIND_TYPES = {
    "number": "DOUBLE",
    "percent": "DOUBLE",
    "ratio": "DOUBLE",
    "year": "INTEGER",
    "date": "DATE",
    "flag": "BOOLEAN",
}
FLAGS = {"Y": True, "N": False, "是": True, "否": False, "TRUE": True, "FALSE": False}


SNAPSHOT_FILES = sorted(path.relative_to(SNAPSHOT_DIR) for path in SNAPSHOT_DIR.rglob("*.csv"))


@pytest.mark.parametrize("relative", SNAPSHOT_FILES, ids=str)
def test_bundled_snapshot_passes_every_audit(
    relative: Path, connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    # Read exactly as the pipeline reads it: the audits judge what intake produces.
    spec = specs[relative.parts[0]]
    path = SNAPSHOT_DIR / relative
    if spec.format not in ("statistics", "telemetry"):
        assert spec.audits, f"{spec.name} declares no audits"
    year = path.stem.rsplit("_", 1)[-1] if spec.partitioned_by_year else None
    delivery = Delivery(spec.name, year, path.name, path.read_bytes())
    candidate = reader_for(spec)(connection, delivery).table
    assert audit_candidate(connection, spec, candidate, path.name) == []
    # Re-sent unchanged, it is plausible against itself.
    assert audit_candidate(connection, spec, candidate, path.name, previous=candidate) == []


# --------------------------------------------------------------------------- performance


def test_a_million_row_registry_audits_quickly(
    connection: duckdb.DuckDBPyConnection, specs: dict[str, SourceSpec]
) -> None:
    """Not a timed assertion: that a million rows run set-based, and how long they take."""
    spec = specs["compute_centres"]
    numeric = [c.name for c in spec.column_specs if c.kind not in ("text", "province", "year")]
    values = {
        "racks_fitted_out": "80 + i % 20",
        "racks_used": "50 + i % 30",
        "total_energy_mwh": "1500.0 + i % 97",
        "it_energy_mwh": "1000.0 + i % 89",
        "co2_tonnes": "800.0 + i % 83",
        "clean_energy_mwh": "300.0 + i % 79",
    }
    columns = ", ".join(
        f'({values.get(column, "(i % 1000) * 1.5 + 1")})::DOUBLE as "{column}"'
        for column in numeric
    )
    for name, shift in (("big_previous", 0), ("big_candidate", 7)):
        connection.execute(
            f"create or replace table {name} as select 'DC-' || lpad(i::VARCHAR, 7, '0') as "
            f"centre_id, '110000' as province, '北京' as province_as_delivered, {columns}, "
            f"i + 2 as _row_number from (select range + {shift} as i from range(1000000))"
        )
    # The candidate's revenue column in 元, not 万元.
    connection.execute("update big_candidate set revenue_wan_yuan = revenue_wan_yuan * 10000")
    start = time.perf_counter()
    problems = audit_candidate(
        connection, spec, "big_candidate", "big.csv", previous="big_previous"
    )
    elapsed = time.perf_counter() - start
    print(f"\naudit of 1,000,000 candidate rows against 1,000,000 previous: {elapsed:.2f} s")
    assert [(problem.kind, problem.column) for problem in problems] == [
        (IMPLAUSIBLE_CHANGE, "revenue_wan_yuan")
    ]

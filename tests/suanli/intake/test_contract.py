"""The typed contract, kind by kind: what a delivered cell may say and the value it stands for.

Each test is the specification of one kind (`suanli.intake.contract.parse_cell`), on the
columns the real sources declare in dbt's manifest wherever one has that kind.
"""

from __future__ import annotations

import datetime as dt
import json

from suanli.intake.catalog import ColumnSpec, source_specs
from suanli.intake.contract import KINDS, CellContext, Parsed, parse_cell
from suanli.intake.regions import PROVINCE_EXPECTED, default_resolver
from suanli.settings import DBT_PROJECT_DIR

with (DBT_PROJECT_DIR / "target" / "manifest.json").open(encoding="utf-8") as _manifest:
    SPECS = {spec.name: spec for spec in source_specs(json.load(_manifest))}
YEAR_NOW = 2026  # fixed, so that "a year from 1949 to …" does not move with the clock
CONTEXT = CellContext(year_now=YEAR_NOW)


def column(source: str, name: str) -> ColumnSpec:
    return next(column for column in SPECS[source].column_specs if column.name == name)


def parse(column: ColumnSpec, text: str, context: CellContext = CONTEXT) -> Parsed:
    return parse_cell(column, text, context, default_resolver())


def accepted(column: ColumnSpec, spellings: dict[str, object], context=CONTEXT) -> None:
    """Each spelling is accepted, as exactly this value of exactly this type."""
    for text, value in spellings.items():
        parsed = parse(column, text, context)
        assert parsed == Parsed(value), text
        assert type(parsed.value) is type(value), text


def refused(column: ColumnSpec, cells: dict[str, tuple[str, str]], context=CONTEXT) -> None:
    """Each cell is refused with this problem kind and this expected text, and no value."""
    for text, (problem, expected) in cells.items():
        assert parse(column, text, context) == Parsed(None, problem, expected), text


def test_every_declared_column_has_a_kind_of_the_contract() -> None:
    declared = [(spec, c) for spec in SPECS.values() for c in spec.column_specs]
    assert {c.kind for _, c in declared} <= KINDS
    for spec, c in declared:
        if c.kind == "enum":
            assert c.values, f"{spec.name}.{c.name} declares no values"
        if c.kind == "city":
            assert column(spec.name, c.within or "province").kind == "province"


def test_text_is_any_non_empty_text_trimmed() -> None:
    name = column("compute_centres", "centre_name")
    accepted(name, {" 北京经开区大数据中心 ": "北京经开区大数据中心", "—": "—", "NA": "NA"})
    refused(
        name,
        {text: ("missing_value", "a value; this column may not be empty") for text in ("", "　")},
    )
    accepted(column("provincial_statistics", "unit_as_delivered"), {"": None, " ": None})


def test_a_code_is_an_identifier_without_inner_spaces() -> None:
    centre_id = column("compute_centres", "centre_id")
    accepted(centre_id, {"DC-110000-0001": "DC-110000-0001", " ＤＣ－１ ": "DC-1"})
    refused(
        centre_id,
        {
            "DC 1": ("not_allowed", "an identifier without spaces"),
            "—": ("missing_value", "an identifier without spaces; this column may not be empty"),
        },
    )


def test_a_number_takes_separators_full_width_digits_signs_and_exponents() -> None:
    speed = column("network_stats", "fixed_download_mbps")  # min 0
    temperature = column("environment_market", "annual_mean_temperature_c")  # -60 to 60
    accepted(
        speed,
        {"118.08": 118.08, "1,234.5": 1234.5, "１１８．０８": 118.08, "+2": 2.0, "1.5e3": 1500.0},
    )
    accepted(temperature, {"-3.5": -3.5, "－3.5": -3.5, "60": 60.0})
    refused(
        speed,
        {
            "-1": ("out_of_range", "a number ≥ 0"),
            "12,3": ("not_a_number", "a number ≥ 0"),  # a typo, not 123
            "快": ("not_a_number", "a number ≥ 0"),
            "1e400": ("not_a_number", "a number ≥ 0"),  # no infinite speeds
            "—": ("missing_value", "a number ≥ 0; this column may not be empty"),
        },
    )
    refused(temperature, {"61": ("out_of_range", "a number from -60 to 60")})


def test_no_data_is_null_in_a_nullable_column_and_missing_in_any_other() -> None:
    sockets = column("server_shipments", "cpu_sockets")  # nullable
    units = column("server_shipments", "units")
    accepted(sockets, {text: None for text in ("", "—", "——", "…", "NA", "无数据", " - ")})
    refused(units, {"—": ("missing_value", "a whole number ≥ 0; this column may not be empty")})


def test_a_count_is_a_whole_number_never_rounded() -> None:
    racks = column("compute_centres", "racks_in_use")
    accepted(
        racks,
        {
            "21,783,268": 21783268,
            "２１７８": 2178,
            "0": 0,
            "12.0": 12,
            "1e3": 1000,
            "9007199254740993": 9007199254740993,  # exactly, not through a float
        },
    )
    refused(
        racks,
        {
            "12.5": ("not_a_whole_number", "a whole number ≥ 0"),
            "-3": ("negative_count", "a whole number ≥ 0"),
            "9223372036854775808": ("not_a_whole_number", "a whole number ≥ 0"),  # > BIGINT
            "三": ("not_a_number", "a whole number ≥ 0"),
        },
    )


def test_a_fraction_smaller_than_a_float_can_tell_is_not_rounded_either() -> None:
    racks = column("compute_centres", "racks_in_use")
    refused(
        racks,
        {
            "1.0000000000000001": ("not_a_whole_number", "a whole number ≥ 0"),
            "1e-400": ("not_a_whole_number", "a whole number ≥ 0"),
        },
    )


def test_a_percent_is_from_0_to_100_with_or_without_the_sign() -> None:
    coverage = column("network_stats", "otn_coverage_pct")
    accepted(
        coverage,
        {
            "45": 45.0,
            "45%": 45.0,
            "45 %": 45.0,
            "４５％": 45.0,
            "0": 0.0,
            "100": 100.0,
            "0.45": 0.45,
        },
    )
    refused(
        coverage,
        {
            "100.5": ("out_of_range", "a percentage from 0 to 100"),
            "-1%": ("out_of_range", "a percentage from 0 to 100"),
            "45%%": ("not_a_number", "a percentage from 0 to 100"),
        },
    )


def test_a_ratio_is_from_0_to_1() -> None:
    share = ColumnSpec("renewable_share", "ratio")  # no source declares one yet
    accepted(share, {"0.042": 0.042, "0": 0.0, "1": 1.0, ".5": 0.5})
    refused(
        share,
        {
            "1.5": ("out_of_range", "a ratio from 0 to 1"),
            "45%": ("not_a_number", "a ratio from 0 to 1"),  # a percentage is not a ratio
        },
    )


def test_a_year_is_four_digits_optionally_followed_by_nian() -> None:
    year = column("network_stats", "year")
    accepted(year, {"2025": 2025, "2025年": 2025, " ２０２５ 年 ": 2025, "1949": 1949})
    refused(
        year,
        {
            text: ("year_out_of_range", f"a year from 1949 to {YEAR_NOW}")
            for text in ("2027", "1948", "二〇二五", "25", "2025.0")
        },
    )
    yearly = CellContext(YEAR_NOW, partition_year=2025)
    accepted(year, {"2025年": 2025}, yearly)
    refused(
        year,
        {"2024": ("year_out_of_range", "2025, the year this delivery is for")},
        yearly,
    )


def test_a_date_in_the_spellings_agencies_use() -> None:
    filing = column("patents", "filing_date")
    may_31 = dt.date(2024, 5, 31)
    accepted(
        filing,
        {
            "2024-05-31": may_31,
            "2024/5/31": may_31,
            "2024.05.31": may_31,
            "2024年5月31日": may_31,
            "２０２４－０５－３１": may_31,
            "2020年4月1日": dt.date(2020, 4, 1),
        },
    )
    refused(
        filing,
        {
            text: ("not_a_date", "a date such as 2024-05-31")
            for text in ("2021-02-30", "31/05/2024", "2024-05", "yesterday")
        },
    )
    accepted(column("patents", "grant_date"), {"": None, "—": None})  # not granted yet


def test_a_province_in_any_spelling_the_resolver_knows() -> None:
    province = column("network_stats", "province")
    accepted(
        province,
        {
            "新 疆": "650000",
            "540000": "540000",
            "Xizang": "540000",
            "540000000000": "540000",  # the 12-digit statistical code
            "BEIJING": "110000",
            "北　京": "110000",
            "吉林": "220000",  # the province, not the city of the same name
        },
    )
    refused(
        province,
        {
            "北平": ("unknown_region", PROVINCE_EXPECTED),
            "苏州": ("unknown_region", PROVINCE_EXPECTED),  # a city
            "—": ("missing_value", f"{PROVINCE_EXPECTED}; this column may not be empty"),
        },
    )


def test_a_city_lies_within_its_rows_province() -> None:
    city = column("compute_centres", "city")
    assert city.within == "province"
    jiangsu = CellContext(YEAR_NOW, province_code="320000")
    accepted(
        city,
        {"苏州": "320500", "苏州市": "320500", "Suzhou": "320500", "320500": "320500"},
        jiangsu,
    )
    refused(
        city,
        {"苏州": ("unknown_region", "a prefecture-level city of 广东省 (苏州 is in 江苏省)")},
        CellContext(YEAR_NOW, province_code="440000"),
    )
    refused(
        city,
        {"火星": ("unknown_region", "a prefecture-level city of 江苏省")},
        jiangsu,
    )
    beijing = CellContext(YEAR_NOW, province_code="110000")
    # A municipality's own name: a centre of the municipality, in no prefecture city.
    accepted(city, {"北京市": None, "北京": None}, beijing)
    refused(
        city,
        {"朝阳": ("unknown_region", "a prefecture-level city of 北京市 (朝阳 is in 辽宁省)")},
        beijing,
    )
    # The row's province is refused already: said once, not again for its city.
    accepted(city, {"苏州": None}, CellContext(YEAR_NOW, province_code=None))


def test_a_flag_is_yes_or_no() -> None:
    connected = column("compute_centres", "backbone_connected")
    accepted(
        connected,
        {"Y": True, "n": False, "是": True, "否": False, " yes ": True, "No": False}
        | {"TRUE": True, "false": False, "ｙ": True},
    )
    refused(
        connected,
        {
            "1": ("not_a_flag", "Y or N"),
            "对": ("not_a_flag", "Y or N"),
            "—": ("missing_value", "Y or N; this column may not be empty"),
        },
    )


def test_an_enum_is_one_of_its_values_in_the_declared_spelling() -> None:
    provenance = column("compute_centres", "provenance")
    compute_type = column("compute_services", "compute_type")
    accepted(
        provenance,
        {"synthetic": "synthetic", " PUBLISHED ": "published", "Ｄｅｒｉｖｅｄ": "derived"},
    )
    accepted(compute_type, {"智能算力": "智能算力", "GENERAL": "general"})
    refused(
        provenance,
        {"official": ("not_allowed", "one of published, derived, synthetic, imputed")},
    )

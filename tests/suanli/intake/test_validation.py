"""Validation of real deliveries against the reference seeds: every problem, one readable line.

Bad inputs are real files edited in tmp_path; each test states the exact line the agency reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from suanli.intake.errors import KINDS, DeliveryError, Problem
from suanli.intake.parsers import parse_statistics
from suanli.intake.validation import (
    RegionLookup,
    StatisticTable,
    UnitTable,
    validate_statistics,
)
from suanli.settings import SEEDS_DIR

REFERENCE = SEEDS_DIR / "reference"
CURRENT_YEAR = 2026  # fixed, so that "a year from 1949 to …" does not move with the clock
EXPORT = "export_gdp_gbk.csv"
BROADBAND_PANEL = "分省互联网主要指标_多年期_面板数据.csv"
SOFTWARE_PANEL = "分省软件和信息技术服务业主要经济指标_多年期_面板数据.csv"
COVERED_PANELS = (
    "分省GDP_多年期_面板数据.csv",
    BROADBAND_PANEL,
    "分省人口_多年期_面板数据.csv",
    "分省电信主要通行能力_多年期_面板数据.csv",
    SOFTWARE_PANEL,
)
UNKNOWN_REGION_LINE = (
    'export_gdp_gbk.csv: row 5, column "地区": value "北平市" — expected a province name or '
    "GB/T 2260 code (unknown region)"
)


@pytest.fixture(scope="module")
def regions() -> RegionLookup:
    return RegionLookup.from_seeds(REFERENCE)


@pytest.fixture(scope="module")
def units() -> UnitTable:
    return UnitTable.from_seeds(REFERENCE)


@pytest.fixture(scope="module")
def statistics() -> StatisticTable:
    return StatisticTable.from_seeds(REFERENCE)


@pytest.fixture
def nbs(shared_data: Path) -> Path:
    return shared_data / "real" / "nbs"


@pytest.fixture
def check(regions: RegionLookup, units: UnitTable, statistics: StatisticTable, tmp_path: Path):
    """Write the (edited) bytes as the named file, parse and validate it: the problem lines."""

    def run(content: bytes, name: str, lookup: RegionLookup | None = None, **options) -> list[str]:
        path = tmp_path / name
        path.write_bytes(content)
        delivery = parse_statistics(path.read_bytes(), name)
        problems = validate_statistics(
            delivery, name, lookup or regions, units, statistics,
            current_year=CURRENT_YEAR, **options,
        )  # fmt: skip
        return [str(problem) for problem in problems]

    return run


def _export(nbs: Path) -> str:
    return (nbs / EXPORT).read_bytes().decode("gb18030")


def _gbk(text: str) -> bytes:
    return text.encode("gb18030")


def _panel(nbs: Path, name: str) -> str:
    return (nbs / name).read_bytes().decode("utf-8-sig")


def _bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.encode("utf-8")


# ------------------------------------------------------------------------- problem lines


def test_a_problem_is_one_readable_line() -> None:
    problem = Problem(
        "unknown_region", EXPORT, 7, "地区", "北平市", "a province name or GB/T 2260 code"
    )
    whole_file = Problem("empty_file", EXPORT, None, None, None, "a header row and data rows")
    broken = Problem("not_a_number", "a.csv", 3, "备注", "两行\r\n说明", "a number")

    assert str(problem) == (
        'export_gdp_gbk.csv: row 7, column "地区": value "北平市" — expected a province name '
        "or GB/T 2260 code (unknown region)"
    )
    assert (
        str(whole_file) == "export_gdp_gbk.csv — expected a header row and data rows (empty file)"
    )
    assert str(broken) == (
        'a.csv: row 3, column "备注": value "两行\\n说明" — expected a number (not a number)'
    )
    with pytest.raises(ValueError, match="unknown problem kind"):
        Problem("typo", EXPORT, 1, None, None, "x")
    assert "unknown_format" in KINDS and "unreadable_encoding" in KINDS


def test_a_delivery_error_lists_ten_problems_then_counts_the_rest() -> None:
    problems = [
        Problem("not_a_number", "a.csv", row, "值", "x", "a number") for row in range(2, 15)
    ]

    error = DeliveryError(problems)

    lines = str(error).splitlines()
    assert isinstance(error, ValueError) and error.problems == problems
    assert lines[:10] == [str(problem) for problem in problems[:10]]
    assert lines[10:] == ["… and 3 more"]


# ------------------------------------------------------------------------------- seeds


def test_units_and_statistics_seeds_agree(units: UnitTable, statistics: StatisticTable) -> None:
    canonical = {unit.canonical_unit for unit in units.units.values()}
    for name in canonical:
        assert (units.get(name).canonical_unit, units.get(name).factor) == (name, 1.0)
    for statistic in statistics.statistics.values():
        assert statistic.canonical_unit in canonical, statistic
    assert (units.get("万元").canonical_unit, units.get("万元").factor) == ("亿元", 0.0001)
    assert (units.get("万个").canonical_unit, units.get("万个").factor) == ("个", 10000.0)
    assert (units.get("万户").canonical_unit, units.get("万户").factor) == ("户", 10000.0)
    assert (units.get("万GB").canonical_unit, units.get("万GB").factor) == ("GB", 10000.0)
    required = {
        "gdp": ("地区生产总值", "亿元"),
        "broadband_ports": ("互联网宽带接入端口", "个"),
        "broadband_users": ("互联网宽带接入用户", "户"),
        "mobile_internet_users": ("移动互联网用户", "户"),
        "software_revenue": ("软件业务收入", "亿元"),
        "software_product_revenue": ("软件产品收入", "亿元"),
        "it_service_revenue": ("信息技术服务收入", "亿元"),
        "fibre_cable_length": ("光缆线路长度", "公里"),
        "population": ("年末常住人口", "人"),
    }
    for code, (name_zh, unit) in required.items():
        statistic = statistics.resolve(name_zh)
        assert (statistic.code, statistic.canonical_unit, statistic.is_amount) == (code, unit, True)


def test_every_header_of_the_covered_panels_is_a_known_statistic_in_a_known_unit(
    nbs: Path, units: UnitTable, statistics: StatisticTable
) -> None:
    for name in COVERED_PANELS:
        frame = parse_statistics((nbs / name).read_bytes(), name).frame
        for statistic_name, unit_name in (
            frame[["statistic", "unit"]].drop_duplicates().itertuples(index=False)
        ):
            statistic, unit = statistics.resolve(statistic_name), units.get(unit_name)
            assert statistic is not None, (name, statistic_name)
            assert unit is not None and unit.canonical_unit == statistic.canonical_unit, unit_name


def test_a_seed_alias_naming_two_statistics_is_refused(tmp_path: Path) -> None:
    for seed in ("statistics.csv", "units.csv"):
        (tmp_path / seed).write_bytes((REFERENCE / seed).read_bytes())
    (tmp_path / "statistic_aliases.csv").write_text(
        "alias,statistic_code\n宽带端口,broadband_ports\n宽带端口,broadband_users\n", "utf-8"
    )

    with pytest.raises(ValueError, match="宽带端口"):
        StatisticTable.from_seeds(tmp_path)


# ----------------------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("delivered", "codes"),
    [
        ("北京市", ("110000",)),
        ("北　京", ("110000",)),  # NBS pads two-character names with ideographic spaces
        (" 内蒙古自治区 ", ("150000",)),
        ("ＢＥＩＪＩＮＧ", ("110000",)),
        ("110000", ("110000",)),
        ("110000000000", ("110000",)),
        ("１１００００", ("110000",)),
        ("吉林", ("220000",)),
        ("北平市", ()),
        ("110100000000", ()),
        ("", ()),
    ],
)
def test_province_names_and_codes_resolve(
    regions: RegionLookup, delivered: str, codes: tuple[str, ...]
) -> None:
    assert regions.resolve(delivered) == codes


def test_with_cities_a_bare_jilin_is_ambiguous() -> None:
    lookup = RegionLookup.from_seeds(REFERENCE, include_cities=True)

    assert lookup.resolve("吉林") == ("220000", "220200")
    assert lookup.resolve("吉林省") == ("220000",)
    assert lookup.resolve("吉林市") == ("220200",)
    assert str(lookup.problem("吉林", "a.csv", 4, "省份")) == (
        'a.csv: row 4, column "省份": value "吉林" — expected a province name or GB/T 2260 code '
        "that names one division (吉林 is 220000 吉林省 or 220200 吉林市) (ambiguous region)"
    )
    assert str(lookup.problem("吉林市", "a.csv", 4, "省份")) == (
        'a.csv: row 4, column "省份": value "吉林市" — expected a province name or GB/T 2260 '
        "code, not the city 220200 吉林市 (unknown region)"
    )


# ------------------------------------------------------------------- real files, clean


def test_the_real_export_is_clean(check, nbs: Path) -> None:
    assert check((nbs / EXPORT).read_bytes(), EXPORT) == []


@pytest.mark.parametrize("name", COVERED_PANELS)
def test_the_real_panels_are_clean(check, nbs: Path, name: str) -> None:
    assert check((nbs / name).read_bytes(), name) == []


def test_tibet_without_software_revenue_has_reported_no_data_and_is_not_missing(
    check, nbs: Path
) -> None:
    frame = parse_statistics((nbs / SOFTWARE_PANEL).read_bytes(), SOFTWARE_PANEL).frame
    tibet = frame[frame["region"] == "西藏自治区"]
    assert len(tibet) == 10 * 6 and tibet["value"].isna().all()

    assert check((nbs / SOFTWARE_PANEL).read_bytes(), SOFTWARE_PANEL) == []


def test_statistics_outside_the_seeds_are_named_once_per_column(check, nbs: Path) -> None:
    name = "分省企业信息化及电子商务情况_多年期_面板数据.csv"

    lines = check((nbs / name).read_bytes(), name)

    assert len(lines) == 9  # its nine indicators; their units (个, 台, %, 亿元) are known
    assert lines[0] == (
        f'{name}: row 1, column "企业数 (个)": value "企业数" — expected a statistic named in '
        "seeds/reference/statistics.csv or statistic_aliases.csv (unknown statistic)"
    )


# ---------------------------------------------------------------------- bad regions


def test_an_unknown_province_is_named_and_the_real_one_is_missing(check, nbs: Path) -> None:
    lines = check(_gbk(_export(nbs).replace("北京市,", "北平市,")), EXPORT)

    assert lines == [
        UNKNOWN_REGION_LINE,
        'export_gdp_gbk.csv: column "地区" — expected a row for 北京市 (110000) in 2006–2024 '
        "(地区生产总值) (missing region)",
    ]


def test_a_duplicated_row_names_both_rows(check, nbs: Path) -> None:
    text = _export(nbs)
    tianjin = next(line for line in text.split("\r\n") if line.startswith("天津市,"))

    lines = check(_gbk(text.replace(tianjin, f"{tianjin}\r\n{tianjin}")), EXPORT)

    assert lines == [
        'export_gdp_gbk.csv: row 7, column "地区": value "天津市" — expected each province '
        "once per statistic and year (天津市 is already in row 6) (duplicate region)"
    ]


def test_a_dropped_row_is_a_missing_province(check, nbs: Path) -> None:
    text = _export(nbs)
    tianjin = next(line for line in text.split("\r\n") if line.startswith("天津市,"))

    lines = check(_gbk(text.replace(tianjin + "\r\n", "")), EXPORT)

    assert lines == [
        'export_gdp_gbk.csv: column "地区" — expected a row for 天津市 (120000) in 2006–2024 '
        "(地区生产总值) (missing region)"
    ]


def test_a_province_absent_in_one_panel_year_is_missing_for_the_statistics_reported(
    check, nbs: Path
) -> None:
    text = _panel(nbs, BROADBAND_PANEL)
    lines_2024 = [line for line in text.split("\n") if line.startswith("110000000000,北京市,2024")]
    lines_2025 = [line for line in text.split("\n") if line.startswith("110000000000,北京市,2025")]

    dropped_2024 = check(_bom(text.replace(lines_2024[0] + "\n", "")), BROADBAND_PANEL)
    dropped_2025 = check(_bom(text.replace(lines_2025[0] + "\n", "")), BROADBAND_PANEL)

    # Three of the eleven indicators have no value for anyone in 2024 (not published).
    assert dropped_2024 == [
        f'{BROADBAND_PANEL}: column "省份" — expected a row for 北京市 (110000) in 2024 '
        "(8 statistics) (missing region)"
    ]
    assert dropped_2025 == []  # nobody has 2025 values: nothing is missing


def test_a_code_that_names_another_province_than_the_name(check, nbs: Path) -> None:
    text = _panel(nbs, BROADBAND_PANEL).replace(
        "120000000000,天津市,2024,", "130000000000,天津市,2024,"
    )

    lines = check(_bom(text), BROADBAND_PANEL)

    assert lines == [
        f'{BROADBAND_PANEL}: row 13, column "省辖市代码": value "130000000000" — expected '
        '120000 (120000000000), the code of 天津市 in column "省份" (ambiguous region)'
    ]


def test_a_name_that_means_a_province_and_a_city_is_ambiguous(check, nbs: Path) -> None:
    lookup = RegionLookup.from_seeds(REFERENCE, include_cities=True)
    text = _panel(nbs, BROADBAND_PANEL).replace(
        "220000000000,吉林省,2024,", "220000000000,吉林,2024,"
    )

    lines = check(_bom(text), BROADBAND_PANEL, lookup)

    assert lines == [
        f'{BROADBAND_PANEL}: row 63, column "省份": value "吉林" — expected a province name or '
        "GB/T 2260 code that names one division (吉林 is 220000 吉林省 or 220200 吉林市) "
        "(ambiguous region)",
        f'{BROADBAND_PANEL}: column "省份" — expected a row for 吉林省 (220000) in 2024 '
        "(8 statistics) (missing region)",
    ]


# ----------------------------------------------------------------------- bad values


def test_text_in_a_number_cell_is_not_a_number(check, nbs: Path) -> None:
    lines = check(_gbk(_export(nbs).replace("北京市,49670.2,", '北京市,"12,3a",')), EXPORT)

    assert lines == [
        'export_gdp_gbk.csv: row 5, column "2024年": value "12,3a" — expected a number '
        "(thousands separators allowed) or a no-data marker (empty, —, –, -, …, ..., －, /, NA, "
        "无数据) (not a number)"
    ]


def test_thousands_separators_and_no_data_markers_are_valid(check, nbs: Path) -> None:
    text = _export(nbs).replace("北京市,49670.2,47353.7,", '北京市,"49,670.2",—,')

    assert check(_gbk(text), EXPORT) == []


def test_a_negative_count_is_refused(check, nbs: Path) -> None:
    text = _panel(nbs, BROADBAND_PANEL)
    assert ",北京市,2024,,562.81,,14790897.73,2173.6," in text
    text = text.replace(
        ",北京市,2024,,562.81,,14790897.73,2173.6,", ",北京市,2024,,562.81,,14790897.73,-2173.6,"
    )

    lines = check(_bom(text), BROADBAND_PANEL)

    assert lines == [
        f'{BROADBAND_PANEL}: row 3, column "互联网宽带接入端口 (万个)": value "-2173.6" — '
        "expected a number ≥ 0 (互联网宽带接入端口 is a count or amount) (negative count)"
    ]


# ----------------------------------------------------------- bad units and statistics


def test_an_unknown_unit_in_a_panel_header(check, nbs: Path) -> None:
    text = _panel(nbs, BROADBAND_PANEL).replace(
        "互联网宽带接入端口 (万个)", "互联网宽带接入端口 (万台套)"
    )

    lines = check(_bom(text), BROADBAND_PANEL)

    assert lines == [
        f'{BROADBAND_PANEL}: row 1, column "互联网宽带接入端口 (万台套)": value "万台套" — '
        "expected a unit of 个 for 互联网宽带接入端口: 个, 万个, 亿个 (unknown unit)"
    ]


def test_a_unit_of_another_quantity_in_the_export_title(check, nbs: Path) -> None:
    lines = check(
        _gbk(_export(nbs).replace("指标：地区生产总值(亿元)", "指标：地区生产总值(万台套)")), EXPORT
    )
    other = check(
        _gbk(_export(nbs).replace("指标：地区生产总值(亿元)", "指标：地区生产总值(万人)")), EXPORT
    )
    converted = check(
        _gbk(_export(nbs).replace("指标：地区生产总值(亿元)", "指标：地区生产总值(万元)")), EXPORT
    )

    assert lines == [
        'export_gdp_gbk.csv: row 2: value "万台套" — expected a unit of 亿元 for 地区生产总值: '
        "元, 千元, 万元, 百万元, 亿元, 万亿元 (unknown unit)"
    ]
    assert other == [line.replace("万台套", "万人") for line in lines]
    assert converted == []


def test_an_unknown_statistic_in_the_export_title(check, nbs: Path) -> None:
    lines = check(
        _gbk(_export(nbs).replace("指标：地区生产总值(亿元)", "指标：地区生产总量(亿元)")), EXPORT
    )

    assert lines == [
        'export_gdp_gbk.csv: row 2: value "地区生产总量" — expected a statistic named in '
        "seeds/reference/statistics.csv or statistic_aliases.csv (unknown statistic)"
    ]


# ---------------------------------------------------------------------------- years


def test_a_year_after_the_current_one_is_out_of_range(check, nbs: Path) -> None:
    lines = check(_gbk(_export(nbs).replace("地区,2024年,", "地区,2031年,")), EXPORT)

    assert lines == [
        'export_gdp_gbk.csv: row 4, column "2031年": value "2031年" — expected a year from '
        "1949 to 2026 (year out of range)"
    ]


def test_years_outside_the_range_the_file_declares(check, nbs: Path) -> None:
    lines = check(_gbk(_export(nbs).replace("时间：最近20年", "时间：2016-2024")), EXPORT)

    assert len(lines) == 10  # 2006–2015
    assert lines[0] == (
        'export_gdp_gbk.csv: row 4, column "2015年": value "2015年" — expected a year within '
        "2016–2024 as the file declares in row 3 (时间：2016-2024) (year out of range)"
    )


def test_years_outside_the_range_the_caller_expects(check, nbs: Path) -> None:
    lines = check(
        (nbs / BROADBAND_PANEL).read_bytes(), BROADBAND_PANEL, declared_years=(2016, 2024)
    )

    assert len(lines) == 31  # every province's 2025 row
    assert lines[0] == (
        f'{BROADBAND_PANEL}: row 2, column "年份": value "2025" — expected a year within '
        "2016–2024 as expected for this delivery (year out of range)"
    )


def test_a_year_cell_that_is_no_year_is_reported(check, nbs: Path) -> None:
    text = _panel(nbs, BROADBAND_PANEL).replace(
        "110000000000,北京市,2024,", "110000000000,北京市,二〇二四,"
    )

    lines = check(_bom(text), BROADBAND_PANEL)

    assert lines[0] == (
        f'{BROADBAND_PANEL}: row 3, column "年份": value "二〇二四" — expected a four-digit year '
        "such as 2024 (year out of range)"
    )
    assert lines[1:] == [
        f'{BROADBAND_PANEL}: column "省份" — expected a row for 北京市 (110000) in 2024 '
        "(8 statistics) (missing region)"
    ]

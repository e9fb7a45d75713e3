"""Generic tables: a region column, a year column or year columns, units in a unit row, in
the header (ASCII or full-width brackets) or in a 单位 column; GBK with CRLF as agencies send."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from nbs_files import BROADBAND_PANEL, SOFTWARE_PANEL, Cells, csv_bytes, csv_cells

from suanli.intake.errors import DeliveryError
from suanli.intake.parsers import parse_statistics
from suanli.intake.parsers.cells import NO_DATA_MARKERS


def _panel_columns(nbs: Path, name: str, column: str) -> dict[tuple[str, str], str]:
    """(province, year) → the cell of one panel column, as published."""
    cells = csv_cells((nbs / name).read_bytes(), "utf-8-sig")
    index = cells[0].index(column)
    return {(row[1], row[2]): row[index] for row in cells[1:] if row}


@pytest.fixture
def published(nbs: Path) -> Cells:
    """Province, year, broadband ports (万个) and software revenue (万元) for 2023–2024, taken
    from the real panels."""
    ports = _panel_columns(nbs, BROADBAND_PANEL, "互联网宽带接入端口 (万个)")
    revenue = _panel_columns(nbs, SOFTWARE_PANEL, "软件业务收入 (万元)")
    return [
        [province, year, ports[province, year], revenue[province, year]]
        for (province, year) in ports
        if year in {"2023", "2024"}
    ]


def _gbk_crlf(tmp_path: Path, name: str, rows: Cells) -> bytes:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, "gbk", "\r\n"))
    assert b"\r\n" in path.read_bytes()
    return path.read_bytes()


CORE = ["region", "year", "statistic", "unit", "value_text", "source_row", "source_column"]


def _expected(published: Cells, first_row: int, columns: tuple[str, str]) -> pd.DataFrame:
    records = []
    for offset, (province, year, ports, revenue) in enumerate(published):
        for statistic, unit, text, column in (
            ("互联网宽带接入端口", "万个", ports, columns[0]),
            ("软件业务收入", "万元", revenue, columns[1]),
        ):
            records.append((province, int(year), statistic, unit, text, first_row + offset, column))
    types = dict.fromkeys(CORE, "string") | {"year": "Int64", "source_row": "Int64"}
    return pd.DataFrame(records, columns=CORE).astype(types)


def _core(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[CORE].reset_index(drop=True)


def test_a_unit_row_under_the_header(published: Cells, tmp_path: Path) -> None:
    header = ["地区", "年份", "互联网宽带接入端口", "软件业务收入"]
    content = _gbk_crlf(
        tmp_path, "wide_unit_row.csv", [header, ["", "", "万个", "万元"], *published]
    )

    delivery = parse_statistics(content, "wide_unit_row.csv")

    assert (delivery.layout, delivery.encoding, delivery.unit_row) == ("wide", "gb18030", 2)
    pd.testing.assert_frame_equal(
        _core(delivery.frame), _expected(published, 3, ("互联网宽带接入端口", "软件业务收入"))
    )


def test_units_in_the_header_in_ascii_and_full_width_brackets(
    published: Cells, tmp_path: Path
) -> None:
    header = ["省份", "年份", "互联网宽带接入端口(万个)", "软件业务收入（万元）"]
    content = _gbk_crlf(tmp_path, "wide_units_in_header.csv", [header, *published])

    delivery = parse_statistics(content, "wide_units_in_header.csv")

    assert (delivery.unit_row, delivery.region_column, delivery.year_column) == (
        None,
        "省份",
        "年份",
    )
    pd.testing.assert_frame_equal(
        _core(delivery.frame),
        _expected(published, 2, ("互联网宽带接入端口(万个)", "软件业务收入（万元）")),
    )
    assert delivery.frame["value"].notna().sum() == delivery.frame["value_text"].ne("").sum()


def test_years_as_columns_with_statistic_and_unit_columns(tmp_path: Path) -> None:
    rows = [
        ["分省统计（示例）"],
        ["地区", "指标", "单位", "2024年", "2023"],
        ["北京", "互联网宽带接入端口", "万个", "2,173.6", "2,045.1"],
        ["北京", "软件业务收入 (亿元)", "", "31,163.8", "—"],
        ["注：2023年软件业务收入暂缺。"],
    ]
    content = _gbk_crlf(tmp_path, "years_as_columns.csv", rows)

    delivery = parse_statistics(content, "years_as_columns.csv")
    frame = delivery.frame

    assert (delivery.statistic_column, delivery.unit_column, delivery.header_row) == (
        "指标",
        "单位",
        2,
    )
    assert delivery.footnotes == ("注：2023年软件业务收入暂缺。",)
    assert delivery.title == {"标题": "分省统计（示例）"}
    assert list(
        zip(frame["statistic"], frame["unit"], frame["year"], frame["value"], strict=True)
    ) == [
        ("互联网宽带接入端口", "万个", 2024, 2173.6),
        ("互联网宽带接入端口", "万个", 2023, 2045.1),
        ("软件业务收入", "亿元", 2024, 31163.8),
        ("软件业务收入", "亿元", 2023, pd.NA),
    ]


def test_years_as_columns_for_one_statistic_named_in_a_title_line(tmp_path: Path) -> None:
    rows = [["互联网宽带接入端口（万个）"], ["省份", "2024", "2023"], ["北京市", "2173.6", "…"]]

    delivery = parse_statistics(_gbk_crlf(tmp_path, "one.csv", rows), "one.csv")

    assert delivery.statistic_title_row == 1
    assert list(delivery.frame[["statistic", "unit", "year"]].itertuples(index=False)) == [
        ("互联网宽带接入端口", "万个", 2024),
        ("互联网宽带接入端口", "万个", 2023),
    ]


@pytest.mark.parametrize("marker", NO_DATA_MARKERS)
def test_every_no_data_marker_is_no_value(marker: str, tmp_path: Path) -> None:
    rows = [["地区", "年份", "互联网宽带接入端口(万个)"], ["北京市", "2024", marker]]

    frame = parse_statistics(_gbk_crlf(tmp_path, "markers.csv", rows), "markers.csv").frame

    assert frame["value"].isna().all() and frame["value_text"].tolist() == [marker]


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234,567.5", 1234567.5), ("２１７３．６", 2173.6), (" -12 ", -12.0), ("1.5E+3", 1500.0)],
)
def test_numbers_with_separators_and_full_width_digits(
    text: str, value: float, tmp_path: Path
) -> None:
    rows = [["地区", "年份", "互联网宽带接入端口(万个)"], ["北京市", "2024", text]]

    frame = parse_statistics(_gbk_crlf(tmp_path, "numbers.csv", rows), "numbers.csv").frame

    assert frame["value"].tolist() == [value]


@pytest.mark.parametrize("text", ["12,3a", "12,3", "1.2.3", "约100", "5%"])
def test_text_that_is_no_number_has_no_value_but_keeps_its_text(text: str, tmp_path: Path) -> None:
    rows = [["地区", "年份", "互联网宽带接入端口(万个)"], ["北京市", "2024", text]]

    frame = parse_statistics(_gbk_crlf(tmp_path, "text.csv", rows), "text.csv").frame

    assert frame["value"].isna().all() and frame["value_text"].tolist() == [text]


def test_a_table_without_a_region_column_is_an_unknown_format(tmp_path: Path) -> None:
    rows = [["名称", "数量"], ["服务器", "12"]]

    with pytest.raises(DeliveryError) as raised:
        parse_statistics(_gbk_crlf(tmp_path, "other.csv", rows), "other.csv")

    assert str(raised.value) == (
        "other.csv: row 1 — expected an NBS 分省年度数据 export "
        "(数据库：/指标：/时间： lines, then 地区,2024年,2023年,…), "
        "an NBS panel (省辖市代码,省份,年份,<indicator> (<unit>),…) or a "
        "table with a region column (地区/省份) and a 年份 column or year columns (2024年) "
        "(unknown format)"
    )


def test_a_header_without_data_rows_is_an_empty_file(tmp_path: Path) -> None:
    rows = [["地区", "年份", "互联网宽带接入端口(万个)"]]

    with pytest.raises(DeliveryError) as raised:
        parse_statistics(_gbk_crlf(tmp_path, "header_only.csv", rows), "header_only.csv")

    assert str(raised.value) == (
        "header_only.csv — expected data rows after the header (row 1) (empty file)"
    )


def test_a_unit_row_without_data_rows_is_an_empty_file(tmp_path: Path) -> None:
    rows = [["地区", "年份", "互联网宽带接入端口"], ["", "", "万个"]]

    with pytest.raises(DeliveryError) as raised:
        parse_statistics(_gbk_crlf(tmp_path, "units_only.csv", rows), "units_only.csv")

    assert str(raised.value) == (
        "units_only.csv — expected data rows after the unit row (row 2) (empty file)"
    )

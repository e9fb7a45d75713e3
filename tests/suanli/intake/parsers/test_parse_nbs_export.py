"""The 国家统计局 分省年度数据 export, as delivered (GBK CSV) and as .xlsx/.xls workbooks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from nbs_files import EXPORT, SHEET, Cells, csv_bytes, write_xls, write_xlsx

from suanli.intake.errors import DeliveryError
from suanli.intake.parsers import LONG_COLUMNS, parse_statistics

FOOTNOTE = (
    "注：按照我国国民经济核算数据修订制度和国际通行做法，在第五次全国经济普查后，"
    "对1992年-2023年地区生产总值历史数据进行了系统修订。"
)


def test_the_real_gbk_export_is_31_provinces_by_19_years_as_published(nbs: Path) -> None:
    delivery = parse_statistics((nbs / EXPORT).read_bytes(), EXPORT)
    frame = delivery.frame

    assert (delivery.layout, delivery.format, delivery.encoding) == ("nbs_export", "csv", "gb18030")
    assert list(frame.columns) == list(LONG_COLUMNS)
    assert len(frame) == 31 * 19
    assert sorted(frame["year"].unique()) == list(range(2006, 2025))
    assert frame.groupby("year")["region"].nunique().eq(31).all()
    assert set(frame["statistic"]) == {"地区生产总值"} and set(frame["unit"]) == {"亿元"}
    assert frame["value"].notna().all()

    def cell(region: str, year: int) -> pd.Series:
        (row,) = frame[(frame["region"] == region) & (frame["year"] == year)].itertuples()
        return row

    beijing, xinjiang = cell("北京市", 2024), cell("新疆维吾尔自治区", 2006)
    assert (beijing.value, beijing.value_text) == (49670.2, "49670.2")
    assert (beijing.source_row, beijing.source_column) == (5, "2024年")
    assert (xinjiang.value, xinjiang.source_row, xinjiang.source_column) == (2984.5, 35, "2006年")
    assert cell("重庆市", 2019).value_text == "23689.6"


def test_title_lines_and_footnotes_are_kept_as_metadata(nbs: Path) -> None:
    delivery = parse_statistics((nbs / EXPORT).read_bytes(), EXPORT)

    assert delivery.title == {
        "数据库": "分省年度数据",
        "指标": "地区生产总值(亿元)",
        "时间": "最近20年",
    }
    assert delivery.title_rows == {"数据库": 1, "指标": 2, "时间": 3}
    assert delivery.footnotes == (FOOTNOTE, "数据来源：国家统计局")
    assert delivery.declared_years is None  # 最近20年 is relative, not a range
    assert (delivery.header_row, delivery.region_column) == (4, "地区")


def test_a_fixed_time_range_is_the_declared_years(export_cells: Cells, tmp_path: Path) -> None:
    export_cells[2] = ["时间：2006-2024年"]
    path = tmp_path / EXPORT
    path.write_bytes(csv_bytes(export_cells, "gb18030"))

    assert parse_statistics(path.read_bytes(), EXPORT).declared_years == (2006, 2024)


@pytest.mark.parametrize(("write", "fmt"), [(write_xlsx, "xlsx"), (write_xls, "xls")])
def test_the_same_cells_in_a_workbook_parse_to_the_same_long_frame(
    nbs: Path,
    export_cells: Cells,
    write: Callable[[Cells], bytes],
    fmt: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / f"export_gdp.{fmt}"
    path.write_bytes(write(export_cells))
    from_csv = parse_statistics((nbs / EXPORT).read_bytes(), EXPORT)

    book = parse_statistics(path.read_bytes(), path.name)

    assert (book.layout, book.format, book.sheet, book.encoding) == (
        "nbs_export", fmt, SHEET, None,
    )  # fmt: skip
    assert (book.title, book.footnotes) == (from_csv.title, from_csv.footnotes)
    # Excel holds numbers, not their text: a published 37767.0 is the number 37767.
    expected = from_csv.frame.assign(value_text=from_csv.frame["value_text"].str.removesuffix(".0"))
    pd.testing.assert_frame_equal(book.frame, expected)
    assert (book.frame["value_text"] != from_csv.frame["value_text"]).sum() == (
        from_csv.frame["value_text"].str.endswith(".0").sum()
    )


def test_a_workbook_is_recognised_by_its_bytes_not_its_name(export_cells: Cells) -> None:
    delivery = parse_statistics(write_xlsx(export_cells), "export_gdp.csv")

    assert delivery.format == "xlsx" and len(delivery.frame) == 31 * 19


def test_a_renamed_region_header_is_a_schema_change(nbs: Path, tmp_path: Path) -> None:
    path = tmp_path / EXPORT
    path.write_bytes(
        (nbs / EXPORT).read_bytes().replace("地区,".encode("gbk"), "区域,".encode("gbk"))
    )

    with pytest.raises(DeliveryError) as raised:
        parse_statistics(path.read_bytes(), EXPORT)

    assert str(raised.value) == (
        'export_gdp_gbk.csv: row 4, column "区域" — expected the first column "地区" '
        "(NBS 分省年度数据 layout) (schema change)"
    )


def test_a_file_cut_in_the_middle_of_a_row_is_truncated(nbs: Path, tmp_path: Path) -> None:
    content = (nbs / EXPORT).read_bytes()
    cut = content.index("江苏省,136696.9,130924.3,1245".encode("gbk")) + len(
        "江苏省,136696.9,130924.3,1245".encode("gbk")
    )
    path = tmp_path / EXPORT
    path.write_bytes(content[:cut])

    with pytest.raises(DeliveryError) as raised:
        parse_statistics(path.read_bytes(), EXPORT)

    assert [problem.kind for problem in raised.value.problems] == ["truncated_file"]
    assert str(raised.value) == (
        'export_gdp_gbk.csv: row 14, column "2022年": value "1245" — expected 20 fields as in '
        "the header (row 4); the file ends in the middle of this row (truncated file)"
    )


def test_a_header_cell_that_is_not_a_year_is_a_schema_change(nbs: Path, tmp_path: Path) -> None:
    path = tmp_path / EXPORT
    text = (nbs / EXPORT).read_bytes().decode("gb18030").replace(",2016年,", ",2016年度预计,")
    path.write_bytes(text.encode("gb18030"))

    with pytest.raises(DeliveryError) as raised:
        parse_statistics(path.read_bytes(), EXPORT)

    assert str(raised.value) == (
        'export_gdp_gbk.csv: row 4, column "2016年度预计" — expected a year column such as '
        "2024年 (schema change)"
    )

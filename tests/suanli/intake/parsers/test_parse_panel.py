"""The NBS tidy panels (分省…_多年期_面板数据.csv): units in the headers, empty = no data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from nbs_files import BROADBAND_PANEL, SOFTWARE_PANEL, csv_bytes, csv_cells

from suanli.intake.errors import DeliveryError
from suanli.intake.parsers import parse_statistics


def _one(frame: pd.DataFrame, region: str, year: int, statistic: str):
    (row,) = frame[
        (frame["region"] == region) & (frame["year"] == year) & (frame["statistic"] == statistic)
    ].itertuples()
    return row


def test_the_internet_panel_is_long_with_units_split_from_the_headers(nbs: Path) -> None:
    delivery = parse_statistics((nbs / BROADBAND_PANEL).read_bytes(), BROADBAND_PANEL)
    frame = delivery.frame

    assert (delivery.layout, delivery.encoding, delivery.header_row) == ("panel", "utf-8-sig", 1)
    assert (delivery.region_column, delivery.code_column, delivery.year_column) == (
        "省份", "省辖市代码", "年份",
    )  # fmt: skip
    assert len(frame) == 31 * 10 * 11  # provinces × years 2016–2025 × indicators
    ports = _one(frame, "北京市", 2024, "互联网宽带接入端口")
    assert (ports.unit, ports.value_text, ports.value) == ("万个", "2173.6", 2173.6)
    assert (ports.region_code, ports.source_row) == ("110000000000", 3)
    assert ports.source_column == "互联网宽带接入端口 (万个)"
    traffic = _one(frame, "北京市", 2024, "移动互联网接入流量")
    assert (traffic.unit, traffic.value) == ("万GB", 771121.67)


def test_the_unpublished_year_is_all_no_data(nbs: Path) -> None:
    frame = parse_statistics((nbs / BROADBAND_PANEL).read_bytes(), BROADBAND_PANEL).frame
    latest = frame[frame["year"] == 2025]

    assert len(latest) == 31 * 11
    assert latest["value"].isna().all() and (latest["value_text"] == "").all()


def test_tibet_software_revenue_is_present_as_no_data(nbs: Path) -> None:
    frame = parse_statistics((nbs / SOFTWARE_PANEL).read_bytes(), SOFTWARE_PANEL).frame
    tibet = frame[(frame["region"] == "西藏自治区") & (frame["statistic"] == "软件业务收入")]

    assert sorted(tibet["year"]) == list(range(2016, 2026))
    assert tibet["value"].isna().all()
    assert set(frame["unit"]) == {"万元", "万美元"}
    assert _one(frame, "北京市", 2024, "软件业务收入").value == 311637931.6


def test_a_renamed_key_column_is_a_schema_change(nbs: Path, tmp_path: Path) -> None:
    cells = csv_cells((nbs / BROADBAND_PANEL).read_bytes(), "utf-8-sig")
    cells[0][2] = "年度"
    path = tmp_path / BROADBAND_PANEL
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(cells, "utf-8", "\n"))

    with pytest.raises(DeliveryError) as raised:
        parse_statistics(path.read_bytes(), BROADBAND_PANEL)

    assert str(raised.value) == (
        f'{BROADBAND_PANEL}: row 1, column "年度" — expected the column "年份" in position 3 '
        "(NBS panel: 省辖市代码, 省份, 年份, <indicator> (<unit>), …) (schema change)"
    )


def test_a_year_cell_that_is_not_a_year_is_kept_for_validation(nbs: Path, tmp_path: Path) -> None:
    cells = csv_cells((nbs / BROADBAND_PANEL).read_bytes(), "utf-8-sig")
    assert cells[2][:3] == ["110000000000", "北京市", "2024"]
    cells[2][2] = "二〇二四"
    path = tmp_path / BROADBAND_PANEL
    path.write_bytes(csv_bytes(cells, "utf-8", "\n"))

    delivery = parse_statistics(path.read_bytes(), BROADBAND_PANEL)

    assert [str(problem) for problem in delivery.problems] == [
        f'{BROADBAND_PANEL}: row 3, column "年份": value "二〇二四" — expected a four-digit year '
        "such as 2024 (year out of range)"
    ]
    assert delivery.frame.loc[delivery.frame["source_row"] == 3, "year"].isna().all()

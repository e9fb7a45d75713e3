"""Any delivered table as rows of cell text with the row numbers the agency sees."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from nbs_files import BROADBAND_PANEL, EXPORT, SHEET, Cells, write_xls, write_xlsx

from suanli.intake.errors import DeliveryError
from suanli.intake.parsers import read_rows


def test_the_gbk_export_is_decoded_and_every_row_keeps_its_line_number(nbs: Path) -> None:
    table = read_rows((nbs / EXPORT).read_bytes(), EXPORT)

    assert (table.format, table.encoding, table.sheet) == ("csv", "gb18030", None)
    assert [row.number for row in table.rows] == list(range(1, 38))
    assert table.rows[0].cells == ("数据库：分省年度数据",)
    assert table.rows[3].cells[:3] == ("地区", "2024年", "2023年")
    assert table.rows[4].cells[:2] == ("北京市", "49670.2")


def test_utf8_is_detected_with_and_without_a_bom(nbs: Path) -> None:
    content = (nbs / BROADBAND_PANEL).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")

    with_bom = read_rows(content, BROADBAND_PANEL)
    without_bom = read_rows(content[3:], BROADBAND_PANEL)

    assert (with_bom.encoding, without_bom.encoding) == ("utf-8-sig", "utf-8")
    assert with_bom.rows == without_bom.rows
    assert with_bom.rows[0].cells[:3] == ("省辖市代码", "省份", "年份")


def test_blank_lines_are_dropped_without_renumbering_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes('地区,2024年\r\n\r\n北京市,"49,670.2"\r\n  ,  \r\n天津市,—\r\n'.encode("gbk"))

    table = read_rows(path.read_bytes(), path.name)

    assert [(row.number, row.cells) for row in table.rows] == [
        (1, ("地区", "2024年")),
        (3, ("北京市", "49,670.2")),
        (5, ("天津市", "—")),
    ]


def test_a_quoted_line_break_does_not_shift_later_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "multiline.csv"
    path.write_bytes('地区,备注\n北京市,"两行\n说明"\n天津市,x\n'.encode())

    table = read_rows(path.read_bytes(), path.name)

    assert [row.number for row in table.rows] == [1, 2, 4]


def test_workbook_cells_come_back_as_the_text_excel_shows(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(SHEET)
    # The table starts at C3, as pasted: rows keep their sheet numbers, columns start at C.
    for column, value in enumerate(["地区", "2024年", "2023年", "2022年"], start=2):
        sheet.write(2, column, value)
    for column, value in enumerate(["北京市", 49670.2, 0.1 + 0.2, 37767.0], start=2):
        sheet.write(3, column, value)
    path = tmp_path / "noise.xls"
    book.save(str(path))

    table = read_rows(path.read_bytes(), path.name)

    assert (table.format, table.sheet, table.encoding) == ("xls", SHEET, None)
    assert [(row.number, row.cells) for row in table.rows] == [
        (3, ("地区", "2024年", "2023年", "2022年")),
        (4, ("北京市", "49670.2", "0.3", "37767")),
    ]


def test_the_first_sheet_with_data_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    data = book.create_sheet("数据")
    data.append(["地区", "2024年"])
    data.append(["北京市", 49670.2])
    path = tmp_path / "two_sheets.xlsx"
    book.save(path)

    table = read_rows(path.read_bytes(), path.name)

    assert table.sheet == "数据"
    assert table.rows[1].cells == ("北京市", "49670.2")


@pytest.mark.parametrize("write", [write_xlsx, write_xls])
def test_the_format_comes_from_the_bytes(write, export_cells: Cells) -> None:
    assert read_rows(write(export_cells), "looks_like.csv").format in {"xlsx", "xls"}
    text = "地区,2024年\r\n北京市,1\r\n".encode("gbk")
    assert read_rows(text, "looks_like.xlsx").format == "csv"


def _message(content: bytes, name: str) -> str:
    with pytest.raises(DeliveryError) as raised:
        read_rows(content, name)
    assert len(raised.value.problems) == 1
    return str(raised.value)


def test_bytes_that_are_no_supported_text_are_unreadable(nbs: Path, tmp_path: Path) -> None:
    path = tmp_path / EXPORT
    path.write_bytes((nbs / EXPORT).read_bytes().decode("gb18030").encode("utf-16"))

    assert _message(path.read_bytes(), EXPORT) == (
        "export_gdp_gbk.csv — expected text in UTF-8 (with or without BOM) or GB18030/GBK, "
        "or an .xlsx/.xls workbook (unreadable encoding)"
    )


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n \r\n,,\r\n"])
def test_an_empty_file_says_so(content: bytes) -> None:
    assert _message(content, EXPORT) == (
        "export_gdp_gbk.csv — expected a header row and data rows (empty file)"
    )


def test_a_cut_workbook_is_truncated_and_a_zip_without_one_is_another_format(
    export_cells: Cells,
) -> None:
    workbook = write_xlsx(export_cells)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("word/document.xml", "<w:document/>")

    assert _message(workbook[: len(workbook) // 2], "export.xlsx").startswith(
        "export.xlsx — expected a complete .xlsx workbook (cannot be opened: "
    )
    assert _message(workbook[: len(workbook) // 2], "export.xlsx").endswith("(truncated file)")
    assert _message(archive.getvalue(), "report.docx").endswith("(unknown format)")

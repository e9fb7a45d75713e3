"""The real NBS files the parser tests read, and writers that put the same cells into .xlsx
(openpyxl) and .xls (xlwt) workbooks laid out as the NBS site's Excel export lays them out."""

from __future__ import annotations

import csv
import io

import openpyxl
import xlwt

from suanli.intake.parsers.cells import parse_number

Cells = list[list[str]]
EXPORT = "export_gdp_gbk.csv"
BROADBAND_PANEL = "分省互联网主要指标_多年期_面板数据.csv"
SOFTWARE_PANEL = "分省软件和信息技术服务业主要经济指标_多年期_面板数据.csv"
SHEET = "年度数据"


def csv_cells(content: bytes, encoding: str) -> Cells:
    """A CSV's rows as text, blank lines included (so list index + 1 = line number)."""
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def csv_bytes(rows: Cells, encoding: str, line_end: str = "\r\n") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue().encode(encoding)


def _typed(cell: str) -> str | float:
    """Numbers go into a workbook as numbers, the way Excel holds them; labels as text."""
    number = parse_number(cell)
    return number if number is not None else cell


def write_xlsx(rows: Cells) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for row_number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row, start=1):
            if cell:
                sheet.cell(row=row_number, column=column, value=_typed(cell))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xls(rows: Cells) -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet(SHEET)
    for row_number, row in enumerate(rows):
        for column, cell in enumerate(row):
            if cell:
                sheet.write(row_number, column, _typed(cell))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

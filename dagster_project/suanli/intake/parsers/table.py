"""Any delivered table (CSV, .xlsx, .xls) as rows of cell text, each with its row number as
delivered, so that every later message can point at the line or sheet row the agency sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Literal

from python_calamine import CalamineError, CalamineWorkbook

from suanli.intake.errors import (
    EMPTY_FILE,
    TRUNCATED_FILE,
    UNKNOWN_FORMAT,
    UNREADABLE_ENCODING,
    DeliveryError,
    Problem,
)

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# GB18030 is a superset of GBK (and GB2312), so one attempt covers all three.
ENCODINGS = ("utf-8", "gb18030")
Format = Literal["csv", "xlsx", "xls"]


@dataclass(frozen=True)
class RawRow:
    number: int  # 1-based line (CSV) or sheet row (spreadsheet) where the row starts
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        """The cell's text; a row cut short has empty cells beyond its end."""
        return self.cells[index] if index < len(self.cells) else ""


@dataclass(frozen=True)
class RawTable:
    """Non-blank rows of a delivery; blank rows are dropped but never renumber the others."""

    file_name: str
    format: Format
    rows: tuple[RawRow, ...]
    encoding: str | None = None  # CSV only: utf-8, utf-8-sig (with BOM) or gb18030
    sheet: str | None = None  # spreadsheets only: the sheet read (the first with data)
    ends_with_newline: bool = True  # CSV only: a last line without one may be cut short


def read_rows(content: bytes, file_name: str) -> RawTable:
    """Rows of cell text; the format comes from the bytes (magic numbers), not the name."""
    if content.startswith(XLSX_MAGIC):
        return _read_workbook(content, file_name, "xlsx")
    if content.startswith(XLS_MAGIC):
        return _read_workbook(content, file_name, "xls")
    return _read_csv(content, file_name)


def _fail(kind: str, file_name: str, expected: str, row: int | None = None) -> DeliveryError:
    return DeliveryError([Problem(kind, file_name, row, None, None, expected)])


def decode(content: bytes, file_name: str) -> tuple[str, str]:
    """Text and the encoding it was found in; never assumed, and binary junk is refused."""
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # UTF-16 or a binary file that happened to decode
        if encoding == "utf-8" and text.startswith("\ufeff"):
            return text[1:], "utf-8-sig"
        return text, encoding
    raise _fail(
        UNREADABLE_ENCODING,
        file_name,
        "text in UTF-8 (with or without BOM) or GB18030/GBK, or an .xlsx/.xls workbook",
    )


def _read_csv(content: bytes, file_name: str) -> RawTable:
    text, encoding = decode(content, file_name)
    # Tab-separated text ("Unicode text" exports) has tabs and no commas anywhere.
    delimiter = "\t" if "," not in text and "\t" in text else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[RawRow] = []
    start = 1
    for cells in reader:
        if _has_text(tuple(cells)):
            rows.append(RawRow(start, tuple(cells)))
        start = reader.line_num + 1  # a quoted field may span lines
    if not rows:
        raise _fail(EMPTY_FILE, file_name, "a header row and data rows")
    return RawTable(
        file_name=file_name,
        format="csv",
        rows=_trim_leading_columns(rows),
        encoding=encoding,
        ends_with_newline=text.endswith(("\n", "\r")),
    )


def _read_workbook(content: bytes, file_name: str, fmt: Format) -> RawTable:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = [
            (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names
        ]
    except (CalamineError, ValueError, OSError) as error:
        raise _fail(
            _unopenable_kind(content, fmt),
            file_name,
            f"a complete .{fmt} workbook (cannot be opened: {error})",
        ) from error
    for name, values in sheets:
        # skip_empty_area=False keeps the sheet's own geometry: list index + 1 = sheet row.
        rows = [
            RawRow(index, cells)
            for index, raw in enumerate(values, start=1)
            if _has_text(cells := tuple(_cell_text(value) for value in raw))
        ]
        if rows:
            return RawTable(file_name, fmt, _trim_leading_columns(rows), sheet=name)
    raise _fail(EMPTY_FILE, file_name, "a sheet with a header row and data rows")


def _cell_text(value: object) -> str:
    """A cell as the agency sees it: floats without binary noise, whole numbers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")  # Excel shows 15 significant digits; beyond is noise
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else ""


def _has_text(cells: tuple[str, ...]) -> bool:
    return any(cell.strip() for cell in cells)


def _unopenable_kind(content: bytes, fmt: Format) -> str:
    """A zip that is whole but holds no workbook is another format; a broken one was cut short."""
    if fmt == "xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return TRUNCATED_FILE
        return TRUNCATED_FILE if "xl/workbook.xml" in names else UNKNOWN_FORMAT
    return TRUNCATED_FILE


def _trim_leading_columns(rows: list[RawRow]) -> tuple[RawRow, ...]:
    # A table pasted at C3 reads the same as one at A1; row numbers are what messages need.
    if not rows:
        return ()
    blank_prefix = min(
        next((i for i, cell in enumerate(row.cells) if cell.strip()), len(row.cells))
        for row in rows
    )
    if blank_prefix == 0:
        return tuple(rows)
    return tuple(RawRow(row.number, row.cells[blank_prefix:]) for row in rows)

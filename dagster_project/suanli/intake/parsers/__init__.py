"""Statistics deliveries (NBS exports and panels, generic tables; CSV, .xlsx, .xls) as one long
frame: `parse_statistics(content, file_name)` works out which layout a file has."""

from __future__ import annotations

from suanli.intake.parsers import nbs, panel, wide
from suanli.intake.parsers.frame import LONG_COLUMNS, StatisticsDelivery
from suanli.intake.parsers.table import RawRow, RawTable, read_rows

__all__ = [
    "LONG_COLUMNS",
    "RawRow",
    "RawTable",
    "StatisticsDelivery",
    "parse_statistics",
    "read_rows",
]


def parse_statistics(content: bytes, file_name: str) -> StatisticsDelivery:
    """The delivery as a long frame; DeliveryError (empty_file, unreadable_encoding,
    unknown_format, schema_change, truncated_file) when it cannot be read at all."""
    table = read_rows(content, file_name)
    # Most specific first: the NBS export's title lines, then the panel's fixed key columns;
    # anything else must be a generic table with a region column (else: unknown_format).
    for layout in (nbs, panel):
        if layout.looks_like(table):
            return layout.parse(table)
    return wide.parse(table)

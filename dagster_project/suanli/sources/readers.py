"""How each kind of source is read: parse, then validate, into the text rows `raw.<source>` keeps.

Record lists (`format: records`, the default) are CSV files whose header must match the
declared columns and whose cells must fit each column's `meta.kind`. Statistics tables
(`format: statistics`) come in the layouts statistics bureaus publish and are parsed to one
row per region, year and statistic. Either way a problem found is a `DeliveryError`, which
quarantines the delivery (`suanli.sources.delivery.store`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pandas as pd

from suanli.sources.catalog import SourceSpec
from suanli.sources.delivery import Delivery, parse
from suanli.sources.errors import DeliveryError
from suanli.sources.parsers import parse_statistics
from suanli.sources.parsers.frame import StatisticsDelivery
from suanli.sources.validation import (
    ColumnRule,
    RegionLookup,
    StatisticTable,
    UnitTable,
    validate_records,
    validate_statistics,
)

# Reads one delivery into text columns (plus `_row_number`) and its detected encoding.
Reader = Callable[[Delivery], tuple[pd.DataFrame, str]]

SYNTHETIC_MARKERS = ("synthetic", "演示数据")


@cache
def _lookups() -> tuple[RegionLookup, UnitTable, StatisticTable]:
    return RegionLookup.from_seeds(), UnitTable.from_seeds(), StatisticTable.from_seeds()


def records_reader(spec: SourceSpec) -> Reader:
    rules = {column.name: ColumnRule(column.kind, column.nullable) for column in spec.column_specs}

    def read(delivery: Delivery) -> tuple[pd.DataFrame, str]:
        frame, encoding = parse(delivery, spec)
        frame["_row_number"] = range(2, len(frame) + 2)  # line in the file, header = 1
        regions = _lookups()[0]
        year = int(delivery.partition_key) if delivery.partition_key else None
        if problems := validate_records(frame, delivery.file_name, rules, regions, year):
            raise DeliveryError(problems)
        return frame, encoding

    return read


def provenance_of(parsed: StatisticsDelivery) -> tuple[str, str]:
    """`published` with the file's 数据来源 footnote, or `synthetic` when that says so."""
    source_notes = [note for note in parsed.footnotes if note.startswith("数据来源")]
    source = source_notes[0].split("：", 1)[-1].strip() if source_notes else parsed.file_name
    synthetic = any(marker in note for note in source_notes for marker in SYNTHETIC_MARKERS)
    return ("synthetic" if synthetic else "published"), source


def statistics_reader(spec: SourceSpec) -> Reader:
    def read(delivery: Delivery) -> tuple[pd.DataFrame, str]:
        parsed = parse_statistics(delivery.content, delivery.file_name)
        regions, units, statistics = _lookups()
        if problems := validate_statistics(parsed, delivery.file_name, regions, units, statistics):
            raise DeliveryError(problems)
        provenance, provenance_source = provenance_of(parsed)
        long = parsed.frame
        frame = pd.DataFrame(
            {
                "region": long["region"],
                "year": long["year"].astype("string"),
                "statistic": long["statistic"],
                "unit": long["unit"],
                "value_text": long["value_text"],
                "value": long["value"].astype("string"),
                "source_row": long["source_row"].astype("string"),
                "source_column": long["source_column"],
                "dataset": " / ".join(f"{k}：{v}" for k, v in parsed.title.items()) or None,
                "provenance": provenance,
                "provenance_source": provenance_source,
            },
            dtype="string",
        )
        frame["_row_number"] = long["source_row"].astype("int64")
        return frame[[*spec.columns, "_row_number"]], parsed.encoding or parsed.format

    return read


def reader_for(spec: SourceSpec) -> Reader:
    return statistics_reader(spec) if spec.format == "statistics" else records_reader(spec)

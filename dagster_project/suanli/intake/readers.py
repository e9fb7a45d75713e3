"""How each kind of source is read into a typed candidate (`suanli.intake.records.Candidate`).

Record lists (`format: records`, the default) are CSV files (or a workbook sent under a CSV
name) whose header must match the declared columns and whose cells must fit each column's kind
(`suanli.intake.contract`). Statistics tables (`format: statistics`) come in the layouts
statistics bureaus publish and are parsed to one row per region, year and statistic, with the
region, statistic and unit resolved here, once. Expert questionnaires (`format:
questionnaire`) are workbooks read to one row per pair of children (`suanli.index.panel`);
meter telemetry (`format: telemetry`) month files of hourly registers (`suanli.intake.telemetry`). A
problem found is a `DeliveryError`, which quarantines the delivery
(`suanli.intake.delivery.store`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache

import duckdb
import pandas as pd

from suanli.index.panel.responses import FilledQuestionnaire, read_questionnaire
from suanli.index.panel.validate import validate_questionnaire
from suanli.index.systems import IndexSystem, load_systems
from suanli.intake.catalog import SourceSpec
from suanli.intake.delivery import Delivery
from suanli.intake.errors import DeliveryError
from suanli.intake.parsers import parse_statistics
from suanli.intake.parsers.frame import StatisticsDelivery
from suanli.intake.records import Candidate, load_candidate, raw_columns
from suanli.intake.regions import RegionLookup, default_resolver
from suanli.intake.telemetry import read_telemetry
from suanli.intake.validation import StatisticTable, UnitTable, validate_statistics
from suanli.settings import index_systems_dir

# Reads one delivery into a typed candidate table of the connection.
Reader = Callable[[duckdb.DuckDBPyConnection, Delivery], Candidate]

SYNTHETIC_MARKERS = ("synthetic", "演示数据")


@cache
def _lookups() -> tuple[RegionLookup, UnitTable, StatisticTable]:
    # The provinces of the one resolver intake uses for record sources.
    return default_resolver().provinces, UnitTable.from_seeds(), StatisticTable.from_seeds()


def records_reader(spec: SourceSpec) -> Reader:
    def read(connection: duckdb.DuckDBPyConnection, delivery: Delivery) -> Candidate:
        candidate = load_candidate(
            connection, spec, delivery.file_name, delivery.content, delivery.partition_key
        )
        if (error := candidate.error()) is not None:
            candidate.drop(connection)
            raise error
        return candidate

    return read


def provenance_of(parsed: StatisticsDelivery) -> tuple[str, str]:
    """`published` with the file's 数据来源 footnote, or `synthetic` when that says so."""
    source_notes = [note for note in parsed.footnotes if note.startswith("数据来源")]
    source = source_notes[0].split("：", 1)[-1].strip() if source_notes else parsed.file_name
    synthetic = any(marker in note for note in source_notes for marker in SYNTHETIC_MARKERS)
    return ("synthetic" if synthetic else "published"), source


def statistics_frame(parsed: StatisticsDelivery) -> pd.DataFrame:
    """The validated long frame with region, statistic and unit resolved to their codes."""
    regions, units, statistics = _lookups()
    provenance, provenance_source = provenance_of(parsed)
    long = parsed.frame
    return pd.DataFrame(
        {
            "region": [regions.resolve(region)[0] for region in long["region"]],
            "region_as_delivered": long["region"].str.strip(),
            "year": long["year"].astype("Int64"),
            "statistic": [statistics.resolve(name).code for name in long["statistic"]],
            "statistic_as_delivered": long["statistic"],
            "unit": [units.get(unit).unit for unit in long["unit"]],
            "unit_as_delivered": long["unit"],
            "value_text": long["value_text"],
            "value": long["value"].astype("Float64"),
            "source_row": long["source_row"].astype("Int64"),
            "source_column": long["source_column"],
            "dataset": " / ".join(f"{k}：{v}" for k, v in parsed.title.items()) or None,
            "provenance": provenance,
            "provenance_source": provenance_source,
            "_row_number": long["source_row"].astype("Int64"),
        }
    )


def frame_candidate(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, frame: pd.DataFrame, encoding: str
) -> Candidate:
    """A parsed frame (the raw columns and `_row_number`) as a candidate table, typed."""
    table = f"_candidate_{uuid.uuid4().hex[:10]}"
    connection.register(f"{table}__frame", frame)
    columns = ", ".join(
        f'cast("{name}" as {type_}) as "{name}"' for name, type_ in raw_columns(spec)
    )
    connection.execute(
        f"create temp table {table}__data as select {columns}, "
        f"cast(_row_number as bigint) as _row_number, cast(null as bigint) as _line "
        f"from {table}__frame"
    )
    connection.unregister(f"{table}__frame")
    connection.execute(f"create temp view {table} as select * from {table}__data")
    return Candidate(table, len(frame), encoding, backing_tables=[f"{table}__data"])


def statistics_reader(spec: SourceSpec) -> Reader:
    def read(connection: duckdb.DuckDBPyConnection, delivery: Delivery) -> Candidate:
        parsed = parse_statistics(delivery.content, delivery.file_name)
        regions, units, statistics = _lookups()
        if problems := validate_statistics(parsed, delivery.file_name, regions, units, statistics):
            raise DeliveryError(problems)
        return frame_candidate(
            connection, spec, statistics_frame(parsed), parsed.encoding or parsed.format
        )

    return read


QUESTIONNAIRE_COLUMNS = (
    "system_code", "node_code", "expert_id", "expert_name", "expert_organisation",
    "expert_weight", "row_code", "column_code", "answer_as_delivered", "judgement", "sheet",
    "sheet_row",
)  # fmt: skip


def questionnaire_frame(filled: FilledQuestionnaire) -> pd.DataFrame:
    """One row per pair of the workbook, answered or blank, in sheet and row order."""
    rows = [
        {
            "system_code": filled.system_code,
            "node_code": answer.node_code,
            "expert_id": filled.expert_id,
            "expert_name": filled.expert_name,
            "expert_organisation": filled.expert_organisation,
            "expert_weight": 1.0 if filled.expert_weight is None else filled.expert_weight,
            "row_code": answer.row_code,
            "column_code": answer.column_code,
            "answer_as_delivered": answer.written,
            "judgement": answer.value,
            "sheet": answer.sheet,
            "sheet_row": answer.row,
            "_row_number": number,
        }
        for number, answer in enumerate(filled.answers, start=1)
    ]
    return pd.DataFrame(rows, columns=[*QUESTIONNAIRE_COLUMNS, "_row_number"])


def questionnaire_reader(spec: SourceSpec) -> Reader:
    """An expert's workbook, checked against the index systems in force
    (`suanli.index.panel.validate`): a refused one names the judgement to revise."""

    def read(connection: duckdb.DuckDBPyConnection, delivery: Delivery) -> Candidate:
        filled = read_questionnaire(delivery.content, delivery.file_name)
        if problems := validate_questionnaire(filled, {s.system_code: s for s in _systems()}):
            raise DeliveryError(problems)
        return frame_candidate(connection, spec, questionnaire_frame(filled), "xlsx")

    return read


def _systems() -> list[IndexSystem]:
    return load_systems(index_systems_dir())


def telemetry_reader(spec: SourceSpec) -> Reader:
    """A month of hourly meter registers, Parquet or CSV (`suanli.intake.telemetry`)."""

    def read(connection: duckdb.DuckDBPyConnection, delivery: Delivery) -> Candidate:
        return read_telemetry(connection, spec, delivery)

    return read


READERS = {
    "statistics": statistics_reader,
    "questionnaire": questionnaire_reader,
    "telemetry": telemetry_reader,
}


def reader_for(spec: SourceSpec) -> Reader:
    return READERS.get(spec.format, records_reader)(spec)

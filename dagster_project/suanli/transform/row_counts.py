"""Row counts of the relations a dbt build makes, for their Dagster materialisations.

dagster-dbt can fetch them itself, one adapter query per model while dbt runs; this project
opens no adapter in the run's process (`SuanliDbtCliResource`), and DuckDB admits one process
per file. So dbt counts them: a post-hook of every model and seed (`macros/row_counts.sql`)
logs the relation's rows, by year for a table with a `year` column, as one line of dbt's event
stream, just before the event saying the model is built. The step reads the line and reports
the model with its counts at once, while dbt builds the rest. (Counted after dbt had exited,
the step spent 2.5 s of a full run, one core idle, storing the build's 320 events after one
query over every relation.) A table whose run years include some with no rows says which (e.g.
System C's history years 2016–2020 in the score tables: values, no scores), so a year with
nothing never looks built with data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster import MetadataValue

# The key whose value the Dagster UI shows as an asset's row count (its table metadata).
ROW_COUNT = "dagster/row_count"
# Set to 1 for the dbt process whose counts are read; the post-hook is silent without it.
ROW_COUNTS_ENV = "SUANLI_DBT_ROW_COUNTS"
# How the post-hook's log line starts (not JSON alone: dagster-dbt swallows a message that is).
MESSAGE = "suanli.row_counts "


@dataclass
class Counts:
    rows: int = 0
    yearly: bool = False  # a table with a `year` column
    by_year: dict[int, int] = field(default_factory=dict)


def logged_counts(raw_event: Mapping[str, Any]) -> tuple[str, Counts] | None:
    """The node and its counts, when `raw_event` (dbt's JSON log event) is the post-hook's line."""
    info = raw_event.get("info", {})
    message = info.get("msg", "")
    if info.get("name") != "JinjaLogInfo" or not message.startswith(MESSAGE):
        return None
    found = json.loads(message[len(MESSAGE) :])
    counts = Counts(
        rows=int(found["rows"]),
        yearly=bool(found["yearly"]),
        by_year={int(year): int(n) for year, n in found["by_year"].items()},
    )
    return raw_event["data"]["node_info"]["unique_id"], counts


def count_metadata(counts: Counts, years: Sequence[int]) -> dict[str, Any]:
    """`dagster/row_count` (the UI's row count), and for a table by year its rows per year and
    the run's years it has none of."""
    metadata: dict[str, Any] = {ROW_COUNT: counts.rows}
    if counts.yearly:
        metadata["rows_by_year"] = MetadataValue.json(
            {str(year): n for year, n in sorted(counts.by_year.items())}
        )
        if empty := [year for year in years if not counts.by_year.get(year)]:
            metadata["years_without_rows"] = MetadataValue.json(empty)
    return metadata

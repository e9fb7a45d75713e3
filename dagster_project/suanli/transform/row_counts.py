"""Row counts of the relations a dbt build materialised, for their Dagster materialisations.

dagster-dbt can fetch them itself, one adapter query per model while dbt runs; this project
opens no adapter in the run's process (`SuanliDbtCliResource`) and DuckDB admits one process
per file, so the counts are taken once dbt has exited: one query over every built relation,
with rows by year for the tables that have a `year` column (about half a second for a full
build). A table whose run years include some with no rows says which (e.g. System C's history
years 2016–2020 in the score tables: values, no scores), so a year with nothing never looks
built with data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
from dagster import AssetKey, MetadataValue

# The key whose value the Dagster UI shows as an asset's row count (its table metadata).
ROW_COUNT = "dagster/row_count"


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str

    @property
    def sql(self) -> str:
        return ".".join('"' + part.replace('"', '""') + '"' for part in (self.schema, self.name))


@dataclass
class Counts:
    rows: int = 0
    yearly: bool = False  # a table with a `year` column
    by_year: dict[int, int] = field(default_factory=dict)


def _existing(
    connection: duckdb.DuckDBPyConnection, relations: Iterable[Relation]
) -> tuple[list[Relation], set[Relation]]:
    """The relations that exist (tables and views), and the tables among them with a year."""
    found = {
        Relation(schema, name): kind
        for schema, name, kind in connection.execute(
            "select schema_name, table_name, 'table' from duckdb_tables() "
            "union all select schema_name, view_name, 'view' from duckdb_views() "
            "where not internal"
        ).fetchall()
    }
    yearly = {
        Relation(schema, name)
        for schema, name in connection.execute(
            "select schema_name, table_name from duckdb_columns() where column_name = 'year'"
        ).fetchall()
    }
    existing = [relation for relation in dict.fromkeys(relations) if relation in found]
    return existing, {r for r in existing if found[r] == "table" and r in yearly}


def row_counts(
    connection: duckdb.DuckDBPyConnection, relations: Iterable[Relation]
) -> dict[Relation, Counts]:
    """Rows of each relation that exists, and by year for the tables with a `year` column."""
    existing, yearly = _existing(connection, relations)
    if not existing:
        return {}
    parts = [
        f"select {i} as relation, try_cast(year as integer) as year, count(*) as n "
        f"from {relation.sql} group by all"
        if relation in yearly
        else f"select {i} as relation, null::integer as year, count(*) as n from {relation.sql}"
        for i, relation in enumerate(existing)
    ]
    counts = {relation: Counts(yearly=relation in yearly) for relation in existing}
    for index, year, n in connection.execute(" union all ".join(parts)).fetchall():
        counts[existing[index]].rows += n
        if year is not None:
            counts[existing[index]].by_year[year] = n
    return counts


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


def relations_by_key(
    manifest: Mapping[str, Any], key_of: Callable[[Mapping[str, Any]], AssetKey]
) -> dict[AssetKey, Relation]:
    """Each dbt model's and seed's Dagster key → the relation dbt builds for it."""
    return {
        key_of(node): Relation(node["schema"], node.get("alias") or node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }

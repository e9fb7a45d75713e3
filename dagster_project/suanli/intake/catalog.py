"""The source catalogue, read from dbt's `sources` declarations (one place declares each source).

A raw source is a dbt source of `source_name: raw` whose `meta.delivery` says where its files
land; its declared columns are the delivery's expected header, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METADATA_COLUMNS = ("_delivery_id", "_row_number")


@dataclass(frozen=True)
class ColumnSpec:
    """A delivered column and what its values must be: `meta.kind` (see
    `suanli.intake.contract`), `meta.nullable`, bounds `meta.min`/`meta.max`, the allowed
    `meta.values` of an enum, and for a city the province column it lies `within`."""

    name: str
    kind: str = "text"
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()
    within: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    name: str
    description: str
    file_pattern: str
    partitioned_by_year: bool
    columns: tuple[str, ...]
    column_specs: tuple[ColumnSpec, ...] = ()
    # `records`: a CSV with the declared header; `statistics`: tables as bureaus publish them.
    format: str = "records"
    # A yearly source's first delivered year (`meta.delivery.first_year`): year partitions
    # before it (another source's history, another system's years) have no file to load.
    first_year: int | None = None
    # What a candidate delivery must pass besides its cells (`meta.delivery.audits`): declared
    # keys, completeness, derived bounds (`suanli.intake.audits`).
    audits: Mapping[str, Any] = field(default_factory=dict)

    def delivers(self, partition_key: str) -> bool:
        return self.first_year is None or int(partition_key) >= self.first_year

    @property
    def is_multi_file(self) -> bool:
        """Any number of files, each its own delivery (e.g. `provincial_statistics/*`)."""
        return "*" in self.file_pattern

    def slot_for(self, year: str | None, file_name: str) -> str:
        """The delivery slot of one file of a multi-file source: its name, or for a yearly
        source the year and what the pattern's `*` matched without the extension
        (`centre_energy_2025-03.parquet` → `2025-03`), one slot per month file."""
        if not self.partitioned_by_year or year is None:
            return file_name
        head, _, tail = Path(self.file_pattern).name.format(year=year).partition("*")
        stem = file_name.removeprefix(head)
        stem = stem.removesuffix(tail) if tail else stem.rsplit(".", 1)[0]
        return f"{year}-{stem}"

    def year_of_slot(self, slot: str | None) -> str | None:
        """The year partition a delivery slot belongs to (`2025-03` → `2025`)."""
        return slot[:4] if self.partitioned_by_year and slot else None

    def relative_path(self, partition_key: str | None) -> str:
        return (
            self.file_pattern.format(year=partition_key)
            if self.partitioned_by_year
            else (self.file_pattern)
        )


def _column_spec(name: str, column: Mapping[str, Any]) -> ColumnSpec:
    meta = column.get("meta", {})
    return ColumnSpec(
        name,
        kind=meta.get("kind", "text"),
        nullable=bool(meta.get("nullable", False)),
        minimum=float(meta["min"]) if "min" in meta else None,
        maximum=float(meta["max"]) if "max" in meta else None,
        values=tuple(str(value) for value in meta.get("values", ())),
        within=meta.get("within"),
    )


def source_specs(manifest: Mapping[str, Any]) -> list[SourceSpec]:
    specs = []
    for source in manifest["sources"].values():
        delivery = source.get("meta", {}).get("delivery")
        if source["source_name"] != "raw" or not delivery:
            continue
        declared = {
            name: column
            for name, column in source["columns"].items()
            if name not in METADATA_COLUMNS
        }
        column_specs = tuple(_column_spec(name, column) for name, column in declared.items())
        specs.append(
            SourceSpec(
                name=source["name"],
                description=source.get("description", ""),
                file_pattern=delivery["file"],
                partitioned_by_year=bool(delivery.get("partitioned_by_year", False)),
                columns=tuple(declared),
                column_specs=column_specs,
                format=delivery.get("format", "records"),
                first_year=int(delivery["first_year"]) if "first_year" in delivery else None,
                audits=delivery.get("audits") or {},
            )
        )
    return sorted(specs, key=lambda spec: spec.name)

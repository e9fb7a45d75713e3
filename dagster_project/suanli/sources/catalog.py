"""The source catalogue, read from dbt's `sources` declarations (one place declares each source).

A raw source is a dbt source of `source_name: raw` whose `meta.delivery` says where its files
land; its declared columns are the delivery's expected header, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

METADATA_COLUMNS = ("_delivery_id", "_row_number")


@dataclass(frozen=True)
class SourceSpec:
    name: str
    description: str
    file_pattern: str
    partitioned_by_year: bool
    columns: tuple[str, ...]

    def relative_path(self, partition_key: str | None) -> str:
        return (
            self.file_pattern.format(year=partition_key)
            if self.partitioned_by_year
            else (self.file_pattern)
        )


def source_specs(manifest: Mapping[str, Any]) -> list[SourceSpec]:
    specs = []
    for source in manifest["sources"].values():
        delivery = source.get("meta", {}).get("delivery")
        if source["source_name"] != "raw" or not delivery:
            continue
        columns = tuple(name for name in source["columns"] if name not in METADATA_COLUMNS)
        specs.append(
            SourceSpec(
                name=source["name"],
                description=source.get("description", ""),
                file_pattern=delivery["file"],
                partitioned_by_year=bool(delivery.get("partitioned_by_year", False)),
                columns=columns,
            )
        )
    return sorted(specs, key=lambda spec: spec.name)

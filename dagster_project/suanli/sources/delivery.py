"""Take one delivery as received: archive its bytes, check its shape, keep its rows verbatim.

Raw tables hold every delivery ever loaded, as text, tagged with the delivery's content hash;
`raw.deliveries` records each file and which delivery is current for its source and partition.
Typing, units and name mapping happen later, in dbt staging.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from suanli.sources.catalog import SourceSpec

# Agencies send UTF-8 (with or without BOM) or GBK/GB18030; GB18030 is a superset of GBK.
ENCODINGS = ("utf-8-sig", "gb18030")

DELIVERIES_DDL = """
create table if not exists raw.deliveries (
    delivery_id varchar not null,
    source varchar not null,
    partition_key varchar,
    file_name varchar not null,
    size_bytes bigint not null,
    encoding varchar not null,
    row_count bigint not null,
    received_at timestamp not null,
    archived_path varchar not null,
    is_current boolean not null
)
"""


class DeliveryError(ValueError):
    """A delivery that cannot be loaded; the message names the file, row and column."""


@dataclass(frozen=True)
class Delivery:
    source: str
    partition_key: str | None
    file_name: str
    content: bytes

    @property
    def delivery_id(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class LoadResult:
    delivery_id: str
    file_name: str
    row_count: int
    encoding: str
    is_new: bool
    archived_path: str


def decode(delivery: Delivery) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return delivery.content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DeliveryError(
        f"{delivery.file_name}: not readable as UTF-8 or GB18030/GBK text; "
        "expected a CSV export in one of those encodings"
    )


def parse(delivery: Delivery, spec: SourceSpec) -> tuple[pd.DataFrame, str]:
    """Rows as text, exactly as delivered, after checking the header against the catalogue."""
    text, encoding = decode(delivery)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DeliveryError(f"{delivery.file_name}: empty file; expected a header row")
    header = [cell.strip() for cell in rows[0]]
    if tuple(header) != spec.columns:
        missing = [c for c in spec.columns if c not in header]
        unexpected = [c for c in header if c not in spec.columns]
        raise DeliveryError(
            f"{delivery.file_name}: row 1 (header): columns do not match source {spec.name!r}; "
            f"missing {missing}, unexpected {unexpected}; expected, in order: "
            f"{', '.join(spec.columns)}"
        )
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body:
        raise DeliveryError(f"{delivery.file_name}: header only, no data rows")
    for line_number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row) and len(row) != len(header):
            raise DeliveryError(
                f"{delivery.file_name}: row {line_number}: {len(row)} fields, expected "
                f"{len(header)} ({', '.join(spec.columns)}); is the file truncated?"
            )
    frame = pd.DataFrame(body, columns=list(spec.columns), dtype="string")
    return frame, encoding


def archive(delivery: Delivery, archive_dir: Path) -> Path:
    """Write-once, content-addressed copy of the bytes as received."""
    target = archive_dir / delivery.source / f"{delivery.delivery_id[:16]}__{delivery.file_name}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".partial")
        partial.write_bytes(delivery.content)
        partial.replace(target)
    return target


def _ensure_raw_table(connection: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    columns = ", ".join(f'"{name}" varchar' for name in spec.columns)
    connection.execute(
        f"create table if not exists raw.{spec.name} "
        f"({columns}, _delivery_id varchar not null, _row_number bigint not null)"
    )


def store(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    delivery: Delivery,
    archive_dir: Path,
) -> LoadResult:
    """Load a delivery into `raw.<source>` unless identical bytes are already current."""
    connection.execute("create schema if not exists raw")
    connection.execute(DELIVERIES_DDL)
    current = connection.execute(
        "select delivery_id, row_count, encoding, archived_path from raw.deliveries "
        "where source = ? and partition_key is not distinct from ? and is_current",
        [spec.name, delivery.partition_key],
    ).fetchone()
    if current and current[0] == delivery.delivery_id:
        return LoadResult(current[0], delivery.file_name, current[1], current[2], False, current[3])

    frame, encoding = parse(delivery, spec)
    archived = archive(delivery, archive_dir)
    frame["_delivery_id"] = delivery.delivery_id
    frame["_row_number"] = range(2, len(frame) + 2)  # line number in the file, header = 1
    _ensure_raw_table(connection, spec)
    connection.execute("begin transaction")
    try:
        connection.register("delivery_rows", frame)
        connection.execute(
            f"delete from raw.{spec.name} where _delivery_id = ?", [delivery.delivery_id]
        )
        connection.execute(f"insert into raw.{spec.name} by name select * from delivery_rows")
        connection.execute(
            "update raw.deliveries set is_current = false "
            "where source = ? and partition_key is not distinct from ?",
            [spec.name, delivery.partition_key],
        )
        connection.execute(
            "insert into raw.deliveries values (?, ?, ?, ?, ?, ?, ?, ?, ?, true)",
            [
                delivery.delivery_id,
                spec.name,
                delivery.partition_key,
                delivery.file_name,
                len(delivery.content),
                encoding,
                len(frame),
                datetime.now(UTC).replace(tzinfo=None),
                str(archived),
            ],
        )
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    finally:
        connection.unregister("delivery_rows")
    return LoadResult(
        delivery.delivery_id, delivery.file_name, len(frame), encoding, True, str(archived)
    )

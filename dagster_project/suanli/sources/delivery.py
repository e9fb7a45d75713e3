"""Take one delivery as received: archive its bytes, check it, keep its rows verbatim.

Raw tables hold every delivery ever loaded, as text, tagged with the delivery's content hash;
`raw.deliveries` records each file and which delivery is current for its source and partition.
A delivery that fails its checks is archived all the same and recorded in `raw.quarantine`
with the reasons; the delivery in force before it stays current. Typing, units and name
mapping happen later, in dbt staging.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from suanli.sources.catalog import SourceSpec
from suanli.sources.errors import (
    EMPTY_FILE,
    SCHEMA_CHANGE,
    TRUNCATED_FILE,
    UNREADABLE_ENCODING,
    DeliveryError,
    Problem,
)

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


QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    delivery_id varchar not null,
    source varchar not null,
    partition_key varchar,
    file_name varchar not null,
    size_bytes bigint not null,
    received_at timestamp not null,
    archived_path varchar not null,
    reason varchar not null,
    problems json not null
)
"""


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
    status: Literal["loaded", "unchanged", "quarantined"]
    archived_path: str
    problems: tuple[str, ...] = ()

    @property
    def is_new(self) -> bool:
        return self.status == "loaded"


# Parses and checks a delivery: its rows as text columns plus `_row_number`, and the encoding;
# raises DeliveryError with every problem found (`suanli.sources.readers` has one per format).
Reader = Callable[["Delivery"], tuple[pd.DataFrame, str]]


def decode(delivery: Delivery) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return delivery.content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DeliveryError(
        [
            Problem(
                UNREADABLE_ENCODING,
                delivery.file_name,
                None,
                None,
                None,
                "a CSV file in UTF-8 (with or without BOM) or GB18030/GBK",
            )
        ]
    )


def schema_problems(file_name: str, spec: SourceSpec, header: list[str]) -> list[Problem]:
    """One problem per missing or unexpected column, or one for a changed order."""
    expected = f"the columns of source {spec.name!r}, in order: {', '.join(spec.columns)}"
    problems = [
        Problem(SCHEMA_CHANGE, file_name, 1, column, None, f"{expected} (column missing)")
        for column in spec.columns
        if column not in header
    ] + [
        Problem(SCHEMA_CHANGE, file_name, 1, column, column, f"{expected} (column not declared)")
        for column in header
        if column not in spec.columns
    ]
    return problems or [
        Problem(SCHEMA_CHANGE, file_name, 1, None, ",".join(header), f"{expected} (order changed)")
    ]


def parse(delivery: Delivery, spec: SourceSpec) -> tuple[pd.DataFrame, str]:
    """Rows as text, exactly as delivered, after checking the header against the catalogue."""
    text, encoding = decode(delivery)
    name = delivery.file_name
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DeliveryError([Problem(EMPTY_FILE, name, 1, None, None, "a header row")])
    header = [cell.strip() for cell in rows[0]]
    if tuple(header) != spec.columns:
        raise DeliveryError(schema_problems(name, spec, header))
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not body:
        raise DeliveryError(
            [Problem(EMPTY_FILE, name, 2, None, None, "data rows after the header")]
        )
    truncated = [
        Problem(
            TRUNCATED_FILE,
            name,
            line_number,
            None,
            ",".join(row),
            f"{len(header)} fields ({', '.join(spec.columns)}), found {len(row)}",
        )
        for line_number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row) and len(row) != len(header)
    ]
    if truncated:
        raise DeliveryError(truncated)
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


def prepare_raw_tables(connection: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """The raw tables exist even before a first delivery, so staging can always read them."""
    connection.execute("create schema if not exists raw")
    connection.execute(DELIVERIES_DDL)
    connection.execute(QUARANTINE_DDL)
    _ensure_raw_table(connection, spec)


def _ensure_raw_table(connection: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    columns = ", ".join(f'"{name}" varchar' for name in spec.columns)
    connection.execute(
        f"create table if not exists raw.{spec.name} "
        f"({columns}, _delivery_id varchar not null, _row_number bigint not null)"
    )


def has_current(
    connection: duckdb.DuckDBPyConnection, source: str, partition_key: str | None
) -> bool:
    return bool(
        connection.execute(
            "select count(*) from raw.deliveries "
            "where source = ? and partition_key is not distinct from ? and is_current",
            [source, partition_key],
        ).fetchone()[0]
    )


def _quarantined(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, delivery: Delivery
) -> LoadResult | None:
    row = connection.execute(
        "select archived_path, problems from raw.quarantine "
        "where delivery_id = ? and source = ? and partition_key is not distinct from ?",
        [delivery.delivery_id, spec.name, delivery.partition_key],
    ).fetchone()
    if row is None:
        return None
    problems = tuple(json.loads(row[1]))
    return LoadResult(
        delivery.delivery_id, delivery.file_name, 0, "", "quarantined", row[0], problems
    )


def quarantine(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    delivery: Delivery,
    archive_dir: Path,
    error: DeliveryError,
) -> LoadResult:
    """Keep the bytes and the reasons; the delivery in force stays current."""
    archived = archive(delivery, archive_dir)
    problems = [str(problem) for problem in error.problems]
    connection.execute(
        "insert into raw.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            delivery.delivery_id,
            spec.name,
            delivery.partition_key,
            delivery.file_name,
            len(delivery.content),
            datetime.now(UTC).replace(tzinfo=None),
            str(archived),
            str(error),
            json.dumps(problems, ensure_ascii=False),
        ],
    )
    return LoadResult(
        delivery.delivery_id,
        delivery.file_name,
        0,
        "",
        "quarantined",
        str(archived),
        tuple(problems),
    )


def store(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    delivery: Delivery,
    archive_dir: Path,
    read: Reader | None = None,
) -> LoadResult:
    """Load a delivery into `raw.<source>` unless identical bytes are already current.

    `read` parses and validates (default: the CSV header and shape only). A delivery it
    refuses is quarantined instead; identical bytes delivered again are recognised and not
    recorded twice.
    """
    prepare_raw_tables(connection, spec)
    current = connection.execute(
        "select delivery_id, row_count, encoding, archived_path from raw.deliveries "
        "where source = ? and partition_key is not distinct from ? and is_current",
        [spec.name, delivery.partition_key],
    ).fetchone()
    if current and current[0] == delivery.delivery_id:
        return LoadResult(
            current[0], delivery.file_name, current[1], current[2], "unchanged", current[3]
        )
    if (known_bad := _quarantined(connection, spec, delivery)) is not None:
        return known_bad

    try:
        if read is None:
            frame, encoding = parse(delivery, spec)
            frame["_row_number"] = range(2, len(frame) + 2)  # line in the file, header = 1
        else:
            frame, encoding = read(delivery)
    except DeliveryError as error:
        return quarantine(connection, spec, delivery, archive_dir, error)
    archived = archive(delivery, archive_dir)
    frame["_delivery_id"] = delivery.delivery_id
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
        delivery.delivery_id, delivery.file_name, len(frame), encoding, "loaded", str(archived)
    )

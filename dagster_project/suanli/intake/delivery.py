"""Take one delivery as received: archive its bytes, read it as a candidate, audit it, and only
then make it current.

The bytes are archived first, whatever follows. Intake (`suanli.intake.readers`) types every
cell by the source's contract into a candidate table; the candidate's audits
(`suanli.intake.audits`: keys, completeness, derived bounds, plausibility against the delivery
it supersedes) run next. Only a candidate that passes both becomes current in `raw.<source>`,
which holds typed values (and, for regions, the text as delivered beside the code) of every
delivery ever accepted, tagged with the delivery's content hash. Anything else — including an
exception nobody foresaw — is recorded in `raw.quarantine` with every problem, and the delivery
in force before it stays current. Staging renames and converts; it never casts delivered text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Literal

import duckdb

from suanli.intake.catalog import SourceSpec
from suanli.intake.errors import INTAKE_ERROR, DeliveryError, Problem
from suanli.intake.records import Candidate, raw_columns

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

    @cached_property
    def delivery_id(self) -> str:
        # once per delivery: store() and the audits ask for it several times (~0.6 s for a
        # 1 GB file each time)
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
    # Accepted, but worth telling (hours without a meter reading).
    notes: tuple[str, ...] = ()

    @property
    def is_new(self) -> bool:
        return self.status == "loaded"


# Reads a delivery into a typed candidate table of the connection, or raises DeliveryError with
# every problem found (`suanli.intake.readers` has one per format).
Reader = Callable[[duckdb.DuckDBPyConnection, "Delivery"], "Candidate"]
# Audits a candidate: (connection, spec, candidate table, delivery, the table of the rows it
# supersedes or None) → problems (`suanli.intake.audits`).
Auditor = Callable[
    [duckdb.DuckDBPyConnection, SourceSpec, str, "Delivery", "str | None"], list[Problem]
]


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
    columns = ", ".join(f"{_quote(name)} {type_}" for name, type_ in raw_columns(spec))
    connection.execute(
        f"create table if not exists raw.{spec.name} "
        f"({columns}, _delivery_id varchar not null, _row_number bigint not null)"
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw_layout_is_current(connection: duckdb.DuckDBPyConnection, spec: SourceSpec) -> bool:
    """Whether `raw.<source>` has the typed layout of the contract (not an older one)."""
    found = connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [spec.name],
    ).fetchall()
    expected = [*raw_columns(spec), ("_delivery_id", "VARCHAR"), ("_row_number", "BIGINT")]
    return not found or [(name, type_.upper()) for name, type_ in found] == expected


def migrate_raw_table(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, read: Reader
) -> list[str]:
    """A warehouse built under an older contract: re-read each current delivery from its
    archived bytes into the typed layout (nothing is lost; the archive is the record). A
    delivery the contract now refuses stops being current and is quarantined. Returns what
    was done, for the log."""
    if raw_layout_is_current(connection, spec):
        return []
    current = connection.execute(
        "select delivery_id, partition_key, file_name, archived_path from raw.deliveries "
        "where source = ? and is_current",
        [spec.name],
    ).fetchall()
    connection.execute(f"drop table raw.{spec.name}")
    _ensure_raw_table(connection, spec)
    done = []
    for delivery_id, partition_key, file_name, archived_path in current:
        delivery = Delivery(spec.name, partition_key, file_name, Path(archived_path).read_bytes())
        try:
            candidate = read(connection, delivery)
        except DeliveryError as error:
            connection.execute(
                "update raw.deliveries set is_current = false where delivery_id = ? and source = ?",
                [delivery_id, spec.name],
            )
            quarantine(connection, spec, delivery, Path(archived_path).parent.parent, error)
            done.append(f"{file_name}: refused by the current contract, no longer current")
            continue
        _insert(connection, spec, candidate, delivery_id)
        candidate.drop(connection)
        done.append(f"{file_name}: re-read from the archive into the typed layout")
    return done


def _insert(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, candidate: Candidate, delivery_id: str
) -> None:
    names = ", ".join(_quote(name) for name, _ in raw_columns(spec))
    connection.execute(
        f"insert into raw.{spec.name} ({names}, _delivery_id, _row_number) "
        f"select {names}, ?, _row_number from {candidate.table}",
        [delivery_id],
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


def intake_failure(delivery: Delivery, error: Exception) -> DeliveryError:
    """An exception nobody foresaw, as a quarantine entry naming the file and the exception."""
    text = str(error).splitlines()[0] if str(error) else ""
    return DeliveryError(
        [
            Problem(
                INTAKE_ERROR, delivery.file_name, None, None, None,
                f"a file intake can read; reading it failed with {type(error).__name__}: {text} "
                "(please report this: the bytes are archived)",
            )
        ]
    )  # fmt: skip


def store(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    delivery: Delivery,
    archive_dir: Path,
    read: Reader,
    audit: Auditor | None = None,
) -> LoadResult:
    """Make a delivery current in `raw.<source>` unless identical bytes already are.

    The bytes are archived first. `read` types the delivery into a candidate, `audit` checks
    the candidate against its source's audits and the delivery it would supersede; a delivery
    either refuses (or that raises anything at all) is quarantined instead, and identical bytes
    delivered again are recognised and not recorded twice.
    """
    prepare_raw_tables(connection, spec)
    current = connection.execute(
        "select delivery_id, row_count, encoding, archived_path from raw.deliveries "
        "where source = ? and partition_key is not distinct from ? and is_current",
        [spec.name, delivery.partition_key],
    ).fetchall()
    current = current[0] if current else None
    if current and current[0] == delivery.delivery_id:
        return LoadResult(
            current[0], delivery.file_name, current[1], current[2], "unchanged", current[3]
        )
    if (known_bad := _quarantined(connection, spec, delivery)) is not None:
        return known_bad

    archived = archive(delivery, archive_dir)
    candidate = None
    try:
        candidate = read(connection, delivery)
        if audit is not None:
            previous = None
            if current is not None:
                previous = f"_previous_{delivery.delivery_id[:12]}"
                connection.execute(
                    f"create or replace temp view {previous} as select * from raw.{spec.name} "
                    f"where _delivery_id = '{current[0]}'"
                )
            problems = audit(connection, spec, candidate.table, delivery, previous)
            if previous is not None:
                connection.execute(f"drop view if exists {previous}")
            if problems:
                raise DeliveryError(problems)
    except DeliveryError as error:
        if candidate is not None:
            candidate.drop(connection)
        return quarantine(connection, spec, delivery, archive_dir, error)
    except Exception as error:  # anything unforeseen: quarantined, never lost
        if candidate is not None:
            candidate.drop(connection)
        return quarantine(connection, spec, delivery, archive_dir, intake_failure(delivery, error))
    connection.execute("begin transaction")
    try:
        connection.execute(
            f"delete from raw.{spec.name} where _delivery_id = ?", [delivery.delivery_id]
        )
        _insert(connection, spec, candidate, delivery.delivery_id)
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
                candidate.encoding,
                candidate.rows,
                datetime.now(UTC).replace(tzinfo=None),
                str(archived),
            ],
        )
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    finally:
        candidate.drop(connection)
    return LoadResult(
        delivery.delivery_id,
        delivery.file_name,
        candidate.rows,
        candidate.encoding,
        "loaded",
        str(archived),
        notes=tuple(str(note) for note in candidate.notes),
    )

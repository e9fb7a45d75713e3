"""`python -m suanli.cli check SOURCE FILE …`: would these files be accepted? For the people who
prepare deliveries, before they send them.

Exactly the pipeline's intake and audits run, on a throw-away in-memory DuckDB: nothing is
archived, loaded or published. Exit 0 when every file would be accepted, 1 when any would be
quarantined (one line per problem), 2 for a usage error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from suanli.intake.catalog import SourceSpec
from suanli.intake.delivery import Delivery
from suanli.intake.errors import DeliveryError
from suanli.intake.landing import pattern_regex
from suanli.intake.readers import reader_for


@dataclass(frozen=True)
class Verdict:
    file: Path
    accepted: bool
    rows: int = 0
    # the problems of a refused file; the notes of an accepted one
    lines: tuple[str, ...] = ()
    # What the file was compared with for plausibility: the delivery in force, or why none.
    compared_with: str = ""


WAREHOUSE_ALIAS = "in_force"


def attach_warehouse(connection: duckdb.DuckDBPyConnection, warehouse: Path | None) -> str:
    """Attach the work file read-only, to compare files with the deliveries in force; say
    why not when it cannot be (none yet, or a run holds it)."""
    if warehouse is None or not warehouse.is_file():
        return f"no warehouse at {warehouse}: not compared with a delivery in force"
    try:
        connection.execute(f"attach '{warehouse}' as {WAREHOUSE_ALIAS} (read_only)")
    except duckdb.Error as error:
        reason = str(error).splitlines()[0]
        return f"warehouse {warehouse} not readable now ({reason}): not compared"
    return ""


def previous_rows(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, delivery: Delivery
) -> tuple[str | None, str]:
    """A view of the delivery in force for the file's slot in the attached warehouse."""
    found = connection.execute(
        f"select delivery_id, file_name from {WAREHOUSE_ALIAS}.raw.deliveries where source = ? "
        "and partition_key is not distinct from ? and is_current",
        [spec.name, delivery.partition_key],
    ).fetchall()
    if not found:
        return None, "no delivery in force for this slot: not compared"
    delivery_id, file_name = found[0]
    view = f"_in_force_{delivery_id[:12]}"
    connection.execute(
        f"create or replace temp view {view} as select * from "
        f"{WAREHOUSE_ALIAS}.raw.{spec.name} where _delivery_id = '{delivery_id}'"
    )
    return view, f"compared with the delivery in force, {file_name} (sha256 {delivery_id[:12]})"


class UsageError(ValueError):
    """The command was asked something it cannot answer (exit 2)."""


def year_of(spec: SourceSpec, path: Path, year: int | None) -> str | None:
    """A yearly source's year: `--year`, else read off the file name by the source's pattern."""
    if not spec.partitioned_by_year:
        return None
    if year is not None:
        return str(year)
    match = pattern_regex(Path(spec.file_pattern).name).fullmatch(path.name)
    if not match:
        raise UsageError(
            f"{path.name}: cannot tell which year it is for; name it like "
            f"{Path(spec.file_pattern).name} or pass --year"
        )
    return match.group("year")


def check_file(
    connection: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    year: int | None,
    attached: str = "no warehouse: not compared with a delivery in force",
) -> Verdict:
    from suanli.intake.audits import audit_delivery  # the pipeline's own audits

    partition = year_of(spec, path, year) if spec.partitioned_by_year else None
    if spec.is_multi_file:  # each statistics table, each month of telemetry is its own slot
        partition = spec.slot_for(partition, path.name)
    delivery = Delivery(spec.name, partition, path.name, path.read_bytes())
    previous, compared_with = (None, attached) if attached else (None, "")
    try:
        if not attached:
            previous, compared_with = previous_rows(connection, spec, delivery)
        candidate = reader_for(spec)(connection, delivery)
        try:
            if problems := audit_delivery(connection, spec, candidate.table, delivery, previous):
                raise DeliveryError(problems)
        finally:
            candidate.drop(connection)
    except DeliveryError as error:
        lines = [str(problem) for problem in error.problems]
        if error.total > len(lines):
            lines.append(f"… and {error.total - len(lines)} more")
        return Verdict(path, False, lines=tuple(lines), compared_with=compared_with)
    except Exception as error:  # the pipeline would quarantine it as an intake error too
        text = str(error).splitlines()[0] if str(error) else ""
        line = f"{path.name} — intake failed with {type(error).__name__}: {text} (intake error)"
        return Verdict(path, False, lines=(line,), compared_with=compared_with)
    notes = tuple(str(note) for note in candidate.notes)
    return Verdict(path, True, rows=candidate.rows, lines=notes, compared_with=compared_with)


def check_files(
    spec: SourceSpec,
    paths: Sequence[Path],
    year: int | None = None,
    warehouse: Path | None = None,
) -> list[Verdict]:
    """`warehouse`: the work file whose deliveries in force the files are compared with
    (plausibility), read-only; None compares with nothing."""
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    for path in paths:
        year_of(spec, path, year)  # every usage error before any work
    with duckdb.connect() as connection:
        attached = attach_warehouse(connection, warehouse)
        return [check_file(connection, spec, path, year, attached) for path in paths]

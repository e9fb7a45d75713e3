"""`python -m suanli.cli check SOURCE FILE …`: would these files be accepted? For the people who
prepare deliveries, before they send them.

Exactly the pipeline's intake and audits run, on a throw-away in-memory DuckDB: nothing is
archived, loaded or published. Exit 0 when every file would be accepted, 1 when any would be
quarantined (one line per problem), 2 for a usage error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from suanli.sources.catalog import SourceSpec
from suanli.sources.delivery import Delivery
from suanli.sources.errors import DeliveryError
from suanli.sources.readers import reader_for


@dataclass(frozen=True)
class Verdict:
    file: Path
    accepted: bool
    rows: int = 0
    lines: tuple[str, ...] = ()


class UsageError(ValueError):
    """The command was asked something it cannot answer (exit 2)."""


def year_of(spec: SourceSpec, path: Path, year: int | None) -> str | None:
    """A yearly source's year: `--year`, else read off the file name by the source's pattern."""
    if not spec.partitioned_by_year:
        return None
    if year is not None:
        return str(year)
    pattern = re.escape(Path(spec.file_pattern).name).replace(re.escape("{year}"), r"(\d{4})")
    match = re.fullmatch(pattern, path.name)
    if not match:
        raise UsageError(
            f"{path.name}: cannot tell which year it is for; name it like "
            f"{Path(spec.file_pattern).name} or pass --year"
        )
    return match.group(1)


def check_file(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path, year: int | None
) -> Verdict:
    from suanli.sources.audits import audit_delivery  # the pipeline's own audits

    delivery = Delivery(spec.name, year_of(spec, path, year), path.name, path.read_bytes())
    try:
        candidate = reader_for(spec)(connection, delivery)
        try:
            if problems := audit_delivery(connection, spec, candidate.table, delivery, None):
                raise DeliveryError(problems)
        finally:
            candidate.drop(connection)
    except DeliveryError as error:
        lines = [str(problem) for problem in error.problems]
        if error.total > len(lines):
            lines.append(f"… and {error.total - len(lines)} more")
        return Verdict(path, False, lines=tuple(lines))
    except Exception as error:  # the pipeline would quarantine it as an intake error too
        text = str(error).splitlines()[0] if str(error) else ""
        line = f"{path.name} — intake failed with {type(error).__name__}: {text} (intake error)"
        return Verdict(path, False, lines=(line,))
    return Verdict(path, True, rows=candidate.rows)


def check_files(spec: SourceSpec, paths: Sequence[Path], year: int | None = None) -> list[Verdict]:
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    for path in paths:
        year_of(spec, path, year)  # every usage error before any work
    with duckdb.connect() as connection:
        return [check_file(connection, spec, path, year) for path in paths]

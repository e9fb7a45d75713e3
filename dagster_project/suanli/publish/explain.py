"""Why a number: one unit's score on one node, as the weighted sum of its children, down to the
indicators' raw values and the delivery files and rows they were computed from.

Reads the published marts only (read-only): `fct_index_scores`, `fct_index_weights`,
`fct_score_contributions`, `fct_indicator_values`, `fct_indicator_lineage` and
`dim_delivery`. A node's score is Σ weight × child score over its children, the weights being
those of `fct_score_contributions`: a child's local AHP weight renormalised among its siblings
that have a score (the local weight itself when none is missing), so the sum shown is the
score itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from suanli.intake.regions import default_resolver

MAX_RUNS = 6  # row runs shown per file; the rest are counted


class ExplainError(ValueError):
    """What was asked cannot be explained; the message says what exists instead."""


@dataclass(frozen=True)
class Delivery:
    """A delivered file as dim_delivery knows it."""

    delivery_id: str
    file_name: str
    source: str
    received_at: str
    archived_path: str | None


@dataclass(frozen=True)
class Rows:
    """The rows of one delivered file a value was computed from."""

    delivery: Delivery
    runs: tuple[tuple[int, int], ...]

    @property
    def row_count(self) -> int:
        return sum(last - first + 1 for first, last in self.runs)

    def describe(self) -> str:
        shown = ", ".join(
            str(first) if first == last else f"{first}–{last}"
            for first, last in self.runs[:MAX_RUNS]
        )
        hidden = self.runs[MAX_RUNS:]
        if hidden:
            shown += f" … and {sum(b - a + 1 for a, b in hidden)} more rows"
        noun = "row" if self.row_count == 1 else "rows"
        return f"{self.delivery.file_name} {noun} {shown}"


@dataclass
class Explained:
    code: str
    name_zh: str
    name_en: str
    level: str
    score: float | None
    rank: int | None = None
    # within the parent: effective weight and contribution (fct_score_contributions)
    weight: float | None = None
    contribution: float | None = None
    local_weight: float | None = None
    children: list[Explained] = field(default_factory=list)
    # indicators only
    raw_value: float | None = None
    unit: str | None = None
    provenance: str | None = None
    source: str | None = None
    value_flag: str | None = None
    rows: list[Rows] = field(default_factory=list)

    @property
    def children_sum(self) -> float | None:
        parts = [child.contribution for child in self.children if child.contribution is not None]
        return sum(parts) if parts else None


@dataclass(frozen=True)
class Subject:
    system_code: str
    system_name: str
    unit_level: str
    unit_code: str
    unit_name: str
    year: int


def resolve_unit(connection: duckdb.DuckDBPyConnection, system: str, unit: str) -> tuple[str, str]:
    """The unit's level and code: a GB/T 2260 code or any spelling the region resolver knows."""
    levels = connection.execute(
        "select distinct unit_level from marts.fct_index_scores where system_code = ?", [system]
    ).fetchall()
    if not levels:
        systems = [row[0] for row in connection.execute(
            "select distinct system_code from marts.fct_index_scores order by 1"
        ).fetchall()]  # fmt: skip
        raise ExplainError(f"no system {system!r} in the published marts; there are {systems}")
    level = levels[0][0]
    resolver = default_resolver()
    lookup = resolver.provinces if level == "province" else resolver.all_regions
    codes = [
        code
        for code in lookup.resolve(unit)
        if (code in resolver.provinces.provinces) == (level == "province")
    ]
    if len(codes) != 1:
        found = " or ".join(f"{code} {lookup.name(code)}" for code in codes)
        raise ExplainError(
            f"unit {unit!r}: expected one {level} of {system} "
            + (f"(it may be {found})" if codes else "(a name or GB/T 2260 code)")
        )
    return level, codes[0]


def explain(
    marts: Path, system: str, unit: str, year: int, node: str | None = None
) -> tuple[Subject, Explained]:
    """The tree under `node` (default: the composite) for one unit and year."""
    with duckdb.connect(str(marts), read_only=True) as connection:
        level, code = resolve_unit(connection, system, unit)
        subject = _subject(connection, system, level, code, year)
        weights = _rows(
            connection,
            "select node_code, parent_code, node_level, position, name_zh, name_en, unit, "
            "local_weight from marts.fct_index_weights where system_code = ? "
            "order by position",
            [system],
        )
        scores = {
            row["node_code"]: row
            for row in _rows(
                connection,
                "select node_code, score, rank from marts.fct_index_scores where system_code = ? "
                "and unit_level = ? and unit_code = ? and year = ?",
                [system, level, code, year],
            )
        }
        values = {
            row["indicator_code"]: row
            for row in _rows(
                connection,
                "select indicator_code, raw_value, unit, score, provenance, source, value_flag "
                "from marts.fct_indicator_values where system_code = ? and unit_level = ? "
                "and unit_code = ? and year = ?",
                [system, level, code, year],
            )
        }
        parts = {
            (row["node_code"], row["part_code"]): row
            for row in _rows(
                connection,
                "select node_code, part_code, weight, contribution "
                "from marts.fct_score_contributions "
                "where system_code = ? and unit_level = ? and unit_code = ? and year = ? "
                "and part_kind = 'child'",
                [system, level, code, year],
            )
        }
        lineage = _lineage(connection, level, code, year)
    if not scores:
        raise ExplainError(f"no scores of {system} for {subject.unit_name} in {year}")
    children: dict[str | None, list[dict]] = {}
    for row in weights:
        children.setdefault(row["parent_code"], []).append(row)
    by_code = {row["node_code"]: row for row in weights}
    start = node or children[None][0]["node_code"]
    if start not in by_code:
        raise ExplainError(f"no node {start!r} in {system}; its nodes: {sorted(by_code)}")

    def build(row: dict) -> Explained:
        item = Explained(
            code=row["node_code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            level=row["node_level"],
            score=(scores.get(row["node_code"]) or values.get(row["node_code"]) or {}).get("score"),
            rank=(scores.get(row["node_code"]) or {}).get("rank"),
            local_weight=row["local_weight"],
        )
        item.children = [build(child) for child in children.get(row["node_code"], [])]
        if not item.children:
            value = values.get(item.code) or {}
            item.raw_value = value.get("raw_value")
            item.unit = value.get("unit") or row["unit"]
            item.provenance = value.get("provenance")
            item.source = value.get("source")
            item.value_flag = value.get("value_flag")
            item.rows = lineage.get(item.code, [])
        for child in item.children:
            part = parts.get((item.code, child.code)) or {}
            child.weight, child.contribution = part.get("weight"), part.get("contribution")
        return item

    return subject, build(by_code[start])


def _subject(
    connection: duckdb.DuckDBPyConnection, system: str, level: str, code: str, year: int
) -> Subject:
    system_row = connection.execute(
        "select name_zh from marts.dim_index_system where system_code = ?", [system]
    ).fetchone()
    unit_row = connection.execute(
        "select name_zh, name_en from marts.dim_unit where unit_level = ? and unit_code = ?",
        [level, code],
    ).fetchone()
    years = [row[0] for row in connection.execute(
        "select distinct year from marts.fct_index_scores where system_code = ? order by 1",
        [system],
    ).fetchall()]  # fmt: skip
    if year not in years:
        raise ExplainError(f"{system} has no scores for {year}; its years: {years}")
    unit_name = f"{unit_row[0]} {unit_row[1]}" if unit_row else code
    return Subject(system, system_row[0] if system_row else system, level, code, unit_name, year)


def _lineage(
    connection: duckdb.DuckDBPyConnection, level: str, code: str, year: int
) -> dict[str, list[Rows]]:
    rows = _rows(
        connection,
        "select lineage.indicator_code, lineage.delivery_id, lineage.first_row, "
        "lineage.last_row, deliveries.file_name, deliveries.source, deliveries.archived_path, "
        "strftime(deliveries.received_at, '%Y-%m-%d %H:%M:%S') as received_at "
        "from marts.fct_indicator_lineage as lineage "
        "inner join marts.dim_delivery as deliveries "
        "on lineage.delivery_id = deliveries.delivery_id "
        "where lineage.unit_level = ? and lineage.unit_code = ? and lineage.year = ? "
        "order by lineage.indicator_code, deliveries.file_name, lineage.first_row",
        [level, code, year],
    )
    grouped: dict[str, dict[str, list[dict]]] = {}
    for row in rows:
        grouped.setdefault(row["indicator_code"], {}).setdefault(row["delivery_id"], []).append(row)
    return {
        indicator: [
            Rows(
                Delivery(
                    delivery_id,
                    runs[0]["file_name"],
                    runs[0]["source"],
                    runs[0]["received_at"],
                    runs[0]["archived_path"],
                ),
                tuple((run["first_row"], run["last_row"]) for run in runs),
            )
            for delivery_id, runs in files.items()
        ]
        for indicator, files in grouped.items()
    }


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list) -> list[dict]:
    cursor = connection.execute(sql, parameters)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _raw(value: float | None) -> str:
    """A raw value as delivered-looking text: 8 not 8.0000, 142.3821 to four decimals."""
    if value is None:
        return "—"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def render(subject: Subject, tree: Explained) -> str:
    """The tree as text: each node `= Σ weight × score`, each indicator its value and rows."""
    head = (
        f"{subject.system_name} ({subject.system_code}) · {subject.unit_name} "
        f"({subject.unit_code}) · {subject.year}"
    )
    deliveries = sorted(
        {rows.delivery for item in _indicators(tree) for rows in item.rows},
        key=lambda delivery: (delivery.source, delivery.file_name),
    )
    files = [
        f"  {d.file_name} · {d.source} · received {d.received_at} UTC · sha256 {d.delivery_id}"
        + (f"\n    archived as {d.archived_path}" if d.archived_path else "")
        for d in deliveries
    ]
    return "\n".join(
        [head, "", *_lines(tree, "", "", is_root=True), "", "Delivery files (rows are lines "
         "of the file as delivered, the header being line 1):", *files]
    )  # fmt: skip


def _indicators(item: Explained) -> Iterator[Explained]:
    if not item.children:
        yield item
    for child in item.children:
        yield from _indicators(child)


def _lines(item: Explained, lead: str, indent: str, is_root: bool = False) -> Iterator[str]:
    """`lead` prefixes the node's own line, `indent` every line below it (tree drawing)."""
    weight = "" if is_root or item.weight is None else f"{_number(item.weight, 4)} × "
    title = f"{weight}{item.code} {item.name_zh}"
    if not item.children:
        yield f"{lead}{title}: score {_number(item.score)}"
        flag = f" ({item.value_flag})" if item.value_flag else ""
        details = [f"{item.provenance or 'no value'}", item.source or ""]
        yield (
            f"{indent}   raw value {_raw(item.raw_value)} {item.unit or ''}{flag} · "
            + " · ".join(part for part in details if part)
        )
        for rows in item.rows:
            yield f"{indent}   ↳ {rows.describe()}"
        # an imputed value was filled in by the system's rule (its source says how), not delivered
        if not item.rows and item.raw_value is not None and item.provenance != "imputed":
            yield f"{indent}   ↳ no delivery row (nothing was delivered for it: a count of 0)"
        return
    rank = f" (rank {item.rank})" if item.rank is not None else ""
    yield f"{lead}{title}: {_number(item.score)}{rank}"
    terms = " + ".join(
        f"{_number(child.weight, 4)} × {_number(child.score)}" for child in item.children
    )
    yield f"{indent}│  = {terms} = {_number(item.children_sum)}"
    if any(
        child.weight is not None
        and child.local_weight is not None
        and abs(child.weight - child.local_weight) > 1e-9
        for child in item.children
    ):
        yield f"{indent}│  (weights renormalised among the children that have a score)"
    for position, child in enumerate(item.children):
        last = position == len(item.children) - 1
        yield from _lines(
            child, f"{indent}{'└─ ' if last else '├─ '}", f"{indent}{'   ' if last else '│  '}"
        )

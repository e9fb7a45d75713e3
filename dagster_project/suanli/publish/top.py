"""The Top N of a system, node and year from the published marts (`python -m suanli.cli top10`).

Read-only. What cannot be shown is a `TopError` naming what can: an unknown system, a node the
system does not have, a year it has no scores for (the command exits 2), never an empty table.
The table says what it shows and is aligned by display width, so that Chinese names, two
columns wide in a terminal, line up with Latin ones.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from suanli.intake.errors import year_ranges

TOP_QUERY = """
select
    scores.rank,
    units.name_zh,
    units.name_en,
    round(scores.score, 2) as score,
    scores.rank_change
from marts.fct_index_scores as scores
inner join marts.dim_unit as units
    on scores.unit_level = units.unit_level and scores.unit_code = units.unit_code
where scores.system_code = $system and scores.node_code = $node and scores.year = $year
order by scores.rank, scores.unit_code
limit $limit
"""
LEVELS = {"province": ("省份", "provinces"), "city": ("城市", "cities")}
INNER_LEVELS = ("composite", "primary", "secondary")


class TopError(ValueError):
    """What was asked for is not in the published marts; the message lists what is."""


@dataclass(frozen=True)
class Top:
    system_code: str
    system_name_zh: str
    unit_level: str
    year: int
    node_code: str
    node_name_zh: str
    node_name_en: str
    table: pd.DataFrame  # rank, name_zh, name_en, score, rank_change

    @property
    def title(self) -> str:
        zh, en = LEVELS.get(self.unit_level, (self.unit_level, self.unit_level))
        return (
            f"{self.system_name_zh} ({self.system_code}) · {self.year} · "
            f"{self.node_name_zh} {self.node_name_en} ({self.node_code}) · {zh} {en}"
        )


def top_units(
    marts: Path, system: str, node: str = "composite", year: int | None = None, limit: int = 10
) -> Top:
    """The first `limit` units (ties may make more) of `system`'s `node` in `year` (default:
    the system's latest year)."""
    with duckdb.connect(str(marts), read_only=True) as connection:
        systems = {
            code: (name_zh, level)
            for code, name_zh, level in connection.execute(
                "select system_code, name_zh, unit_level from marts.dim_index_system"
            ).fetchall()
        }
        if system not in systems:
            raise TopError(
                f"unknown index system {system!r}; systems: {', '.join(sorted(systems))}"
            )
        years = [
            year
            for (year,) in connection.execute(
                "select distinct year from marts.fct_index_scores where system_code = ? "
                "order by year",
                [system],
            ).fetchall()
        ]
        if not years:
            raise TopError(f"{system} has no scores in {marts}")
        if year is None:
            year = years[-1]
        elif year not in years:
            raise TopError(f"{system} has no scores for {year}; years: {year_ranges(years)}")
        nodes = {
            code: (name_zh, name_en, level)
            for code, name_zh, name_en, level in connection.execute(
                "select node_code, name_zh, name_en, node_level from marts.fct_index_weights "
                "where system_code = ? order by node_level, position",
                [system],
            ).fetchall()
        }
        if node not in nodes:
            inner = [code for code, (*_, level) in nodes.items() if level in INNER_LEVELS]
            raise TopError(
                f"{system} has no node {node!r}; nodes: {', '.join(inner)}, or one of its "
                f"{len(nodes) - len(inner)} indicators (marts.fct_index_weights)"
            )
        table = connection.execute(
            TOP_QUERY, {"system": system, "node": node, "year": year, "limit": limit}
        ).df()
    name_zh, level = systems[system]
    return Top(system, name_zh, level, year, node, nodes[node][0], nodes[node][1], table)


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: two for wide and full-width characters (汉字)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


COLUMNS = (
    ("rank", "排名", True),
    ("name_zh", "名称", False),
    ("name_en", "Name", False),
    ("score", "得分 Score", True),
    ("rank_change", "变化 Change", True),
)


def render(top: Top) -> str:
    """The title line, then the table with a header, columns aligned by display width."""
    cells = [[label for _, label, _ in COLUMNS]]
    for row in top.table.itertuples(index=False):
        change = "" if pd.isna(row.rank_change) else f"{int(row.rank_change):+d}".replace("+0", "0")
        cells.append([str(row.rank), row.name_zh, row.name_en or "", f"{row.score:.2f}", change])
    widths = [max(display_width(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = [top.title]
    for line in cells:
        lines.append(
            "  ".join(
                pad(cell, width, right)
                for cell, width, (_, _, right) in zip(line, widths, COLUMNS, strict=True)
            ).rstrip()
        )
    return "\n".join(lines)

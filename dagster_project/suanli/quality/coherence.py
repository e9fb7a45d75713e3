"""The coherence check of `marts.fct_node_coherence`: do a node's children hang together?

A WARN check for the people who own the index definitions, not for the data team: a child
negatively correlated with a sibling, two siblings so alike (r > 0.92) that one counts twice,
or a child barely related to its parent (r < 0.3) says the *method* may weigh the wrong
things; no delivery fixes it. So it never blocks, does not gate publication, and its audience
(`suanli/audience: method`) sends its alerts to the method list, not the on-call team
(`suanli.alerts`). It reads the candidate marts of the run's build (the work file), like the
GX suites on the marts, and judges the latest year of each system and unit level: older years
were judged when they were built, and an index definition is revised for the years to come.

A plain asset check rather than a GX suite: what it must say is which sibling pair or which
parent link is at fault, with its figure, which a suite's offending-row sample cannot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from suanli.alerts.model import AUDIENCE, METHOD
from suanli.quality.gate import GATES_PUBLICATION
from suanli.warehouse.resource import WarehouseResource

COHERENCE_ASSET = AssetKey(["marts", "fct_node_coherence"])
CHECK_NAME = "node_coherence"
CONCERNS = (
    "These flags concern the index definition (which children a node weighs together), "
    "not the delivered data: for the owners of the method."
)

# The flags' columns in the mart, and what a reader is told of each.
NEGATIVE, REDUNDANT, WEAK = "negative_with_sibling", "redundant_with_sibling", "weak_with_parent"
FLAG_LABELS = {
    NEGATIVE: "negative with a sibling",
    REDUNDANT: "redundant, r > 0.92",
    WEAK: "weak with the parent, r < 0.3",
}

# The flagged children of the latest year of each system and unit level.
FLAGGED_SQL = f"""
with latest as (
    select system_code, unit_level, max(year) as year
    from {COHERENCE_ASSET.to_user_string().replace("/", ".")}
    group by all
)
select
    coherence.system_code, coherence.year, coherence.unit_level, coherence.node_code,
    coherence.child_code, coherence.min_sibling_code, coherence.min_sibling_pearson,
    coherence.max_sibling_code, coherence.max_sibling_pearson, coherence.pearson_with_parent,
    coherence.{NEGATIVE}, coherence.{REDUNDANT}, coherence.{WEAK}
from {COHERENCE_ASSET.to_user_string().replace("/", ".")} as coherence
inner join latest using (system_code, unit_level, year)
where coherence.{NEGATIVE} or coherence.{REDUNDANT} or coherence.{WEAK}
order by all
"""


@dataclass(frozen=True, order=True)
class Finding:
    """One flag: a sibling pair (negative, redundant) or a child and its parent (weak)."""

    system_code: str
    year: int
    unit_level: str
    node_code: str
    flag: str
    first: str  # the child (the pair's codes in order, for sibling flags)
    second: str  # the sibling, or "" for the parent
    pearson: float

    def describe(self) -> str:
        other = self.second or f"{self.node_code} (parent)"
        # two decimals, three for a figure that would read as ±0.00
        r = f"{self.pearson:.{2 if abs(self.pearson) >= 0.005 else 3}f}".replace("-", "−")
        return (
            f"{self.system_code} {self.year} {self.unit_level} {self.node_code}: "
            f"{self.first} ↔ {other} r = {r} ({FLAG_LABELS[self.flag]})"
        )


def _sibling_finding(row: dict, flag: str, sibling: str, pearson: float) -> Finding:
    # A pair is one finding whichever of its two children reports it.
    first, second = sorted((row["child_code"], sibling))
    where = (row["system_code"], row["year"], row["unit_level"], row["node_code"])
    return Finding(*where, flag, first, second, pearson)


def findings_of(rows: Sequence[dict]) -> list[Finding]:
    """Every flag of the rows, each sibling pair once."""
    found: set[Finding] = set()
    for row in rows:
        if row[NEGATIVE]:
            found.add(
                _sibling_finding(row, NEGATIVE, row["min_sibling_code"], row["min_sibling_pearson"])
            )
        if row[REDUNDANT]:
            found.add(
                _sibling_finding(
                    row, REDUNDANT, row["max_sibling_code"], row["max_sibling_pearson"]
                )
            )
        if row[WEAK]:
            where = (row["system_code"], row["year"], row["unit_level"], row["node_code"])
            found.add(Finding(*where, WEAK, row["child_code"], "", row["pearson_with_parent"]))
    return sorted(found)


def read_findings(connection: duckdb.DuckDBPyConnection) -> list[Finding]:
    cursor = connection.execute(FLAGGED_SQL)
    columns = [column[0] for column in cursor.description]
    return findings_of([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])


def coherence_result(findings: Sequence[Finding]) -> AssetCheckResult:
    """Passed when nothing is flagged; else WARN, naming every flag with its figure."""
    counts = Counter(finding.flag for finding in findings)
    per_flag = {label: counts.get(flag, 0) for flag, label in FLAG_LABELS.items()}
    summary = ", ".join(f"{label}: {count}" for label, count in per_flag.items())
    description = (
        "no node flagged in the latest year of any system"
        if not findings
        else "\n".join(
            [
                f"{len(findings)} coherence flags in the latest year ({summary}). {CONCERNS}",
                *(finding.describe() for finding in findings),
            ]
        )
    )
    return AssetCheckResult(
        passed=not findings,
        severity=AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "flags": len(findings),
            **{f"flags_{flag}": counts.get(flag, 0) for flag in FLAG_LABELS},
            "flagged": MetadataValue.json([asdict(finding) for finding in findings]),
            "concerns": "the index definition (method), not the delivered data",
        },
    )


@asset_check(
    asset=COHERENCE_ASSET,
    name=CHECK_NAME,
    description="WARN: no node of the latest year has children negatively correlated, "
    "redundant (r > 0.92) or weakly tied to it (r < 0.3). About the index definition: it "
    "alerts the method's owners, never blocks and does not gate publication.",
    blocking=False,
    metadata={GATES_PUBLICATION: False, AUDIENCE: METHOD},
)
def node_coherence(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect(read_only=True, what=CHECK_NAME) as connection:
        return coherence_result(read_findings(connection))

"""Index systems as data: parse a definition file and weigh its hierarchy with AHP.

A definition (one YAML file per system under `seeds/index_systems/`) holds the hierarchy,
names, units, directions and one pairwise-comparison matrix per inner node. A node may be
`include: <system>#<node>`, reusing another system's subtree (and its judgements) verbatim.
This module turns it into flat node rows that the generic dbt pipeline reads; nothing here
knows any indicator.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from suanli.index.ahp import CR_THRESHOLD, AhpMatrixError, AhpResult, ahp_weights

LEVEL_NAMES = ("composite", "primary", "secondary", "tertiary")
DIRECTIONS = ("positive", "negative")
STANDARDISATIONS = ("minmax_per_year",)


class DefinitionError(ValueError):
    """A definition file that cannot be used; the message names the file and the node."""


@dataclass(frozen=True)
class Node:
    code: str
    name_zh: str
    name_en: str
    pairwise: Sequence[Sequence[Any]] = ()
    children: tuple[Node, ...] = ()
    unit: str | None = None
    direction: str | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class IndexSystem:
    system_code: str
    name_zh: str
    name_en: str
    report: str
    unit_level: str
    years: tuple[int, ...]
    standardisation: str
    constant_column_score: float
    random_index: str
    root: Node
    source_file: str = ""

    def nodes(self) -> Iterator[tuple[Node, Node | None, int, int]]:
        """Every node with its parent, depth (0 = composite) and position among siblings."""
        stack: list[tuple[Node, Node | None, int, int]] = [(self.root, None, 0, 1)]
        while stack:
            node, parent, depth, position = stack.pop()
            yield node, parent, depth, position
            stack.extend(
                (child, node, depth + 1, i)
                for i, child in reversed(list(enumerate(node.children, start=1)))
            )


@dataclass(frozen=True)
class NodeWeight:
    """One row of `definitions.index_nodes`: a node, its local weight, its own matrix's AHP."""

    system_code: str
    node_code: str
    parent_code: str | None
    node_level: str
    depth: int
    position: int
    name_zh: str
    name_en: str
    unit: str | None
    direction: str | None
    local_weight: float
    n_children: int
    lambda_max: float | None
    consistency_index: float | None
    random_index: float | None
    consistency_ratio: float | None
    random_index_table: str


class InconsistentMatrixError(DefinitionError):
    def __init__(self, system_code: str, node_code: str, result: AhpResult) -> None:
        self.system_code, self.node_code, self.result = system_code, node_code, result
        super().__init__(
            f"index system {system_code!r}, node {node_code!r}: AHP consistency ratio "
            f"CR = {result.consistency_ratio:.4f} is not below {CR_THRESHOLD:.2f} "
            f"(n = {result.n}, λmax = {result.lambda_max:.4f}, "
            f"RI = {result.random_index} from {result.random_index_table}); "
            "revise the pairwise judgements of this node"
        )


@dataclass
class _Parser:
    source: str
    directory: Path
    seen: set[str] = field(default_factory=set)

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(f"{self.source}: {where}: {message}")

    def included(self, reference: str, where: str) -> dict[str, Any]:
        """`include: <system file stem>#<node code>`: that node's subtree, as written there."""
        stem, _, code = reference.partition("#")
        path = self.directory / f"{stem}.yml"
        if not code or not path.is_file():
            raise self.fail(where, f"include {reference!r}: expected '<system>#<node>' of a file")
        stack = [yaml.safe_load(path.read_text(encoding="utf-8"))["root"]]
        while stack:
            candidate = stack.pop()
            if candidate.get("code") == code:
                return candidate
            stack.extend(candidate.get("children") or [])
        raise self.fail(where, f"include {reference!r}: no node {code!r} in {path.name}")

    def node(self, raw: Any, depth: int, where: str) -> Node:
        if isinstance(raw, dict) and "include" in raw:
            raw = self.included(str(raw["include"]), where)
        if not isinstance(raw, dict):
            raise self.fail(where, "expected a mapping with code, name_zh, name_en")
        missing = [key for key in ("code", "name_zh", "name_en") if not raw.get(key)]
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        code = str(raw["code"])
        where = f"node {code!r}"
        if code in self.seen:
            raise self.fail(where, "node code used twice")
        self.seen.add(code)
        if depth >= len(LEVEL_NAMES):
            raise self.fail(where, f"hierarchy deeper than {len(LEVEL_NAMES)} levels")
        children = tuple(
            self.node(child, depth + 1, f"child {i} of {code!r}")
            for i, child in enumerate(raw.get("children") or [], start=1)
        )
        if not children:
            if depth != len(LEVEL_NAMES) - 1:
                raise self.fail(where, f"a leaf must be {LEVEL_NAMES[-1]}, found at depth {depth}")
            if raw.get("direction") not in DIRECTIONS:
                raise self.fail(where, f"direction must be one of {DIRECTIONS}")
            if not raw.get("unit"):
                raise self.fail(where, "a tertiary indicator needs a unit")
            return Node(
                code,
                raw["name_zh"],
                raw["name_en"],
                unit=str(raw["unit"]),
                direction=raw["direction"],
            )
        pairwise = raw.get("pairwise")
        if not isinstance(pairwise, list) or len(pairwise) != len(children):
            raise self.fail(
                where, f"needs a {len(children)}×{len(children)} pairwise matrix over its children"
            )
        return Node(code, raw["name_zh"], raw["name_en"], pairwise=pairwise, children=children)


def load_system(path: Path) -> IndexSystem:
    """Parse and validate one definition file (structure only; weights come from `weigh`)."""
    source = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DefinitionError(f"{source}: not valid YAML: {error}") from error
    parser = _Parser(source, path.parent)
    if not isinstance(raw, dict):
        raise parser.fail("top level", "expected a mapping")
    missing = [
        key
        for key in ("system_code", "name_zh", "name_en", "unit_level", "years", "root")
        if key not in raw
    ]
    if missing:
        raise parser.fail("top level", f"missing {', '.join(missing)}")
    standardisation = raw.get("standardisation", "minmax_per_year")
    if standardisation not in STANDARDISATIONS:
        raise parser.fail("standardisation", f"must be one of {STANDARDISATIONS}")
    return IndexSystem(
        system_code=str(raw["system_code"]),
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        report=raw.get("report", ""),
        unit_level=raw["unit_level"],
        years=tuple(int(year) for year in raw["years"]),
        standardisation=standardisation,
        constant_column_score=float(raw.get("constant_column_score", 0)),
        random_index=raw.get("random_index", "saaty_1980"),
        root=parser.node(raw["root"], 0, "root"),
        source_file=source,
    )


def load_systems(directory: Path) -> list[IndexSystem]:
    systems = [load_system(path) for path in sorted(directory.glob("*.yml"))]
    codes = [system.system_code for system in systems]
    duplicated = sorted({code for code in codes if codes.count(code) > 1})
    if duplicated:
        raise DefinitionError(f"{directory}: system codes defined twice: {duplicated}")
    return systems


def weigh(system: IndexSystem) -> list[NodeWeight]:
    """AHP local weights for every node; stops on a malformed or inconsistent matrix."""
    local_weight: dict[str, float] = {system.root.code: 1.0}
    results: dict[str, AhpResult] = {}
    for node, _, _, _ in system.nodes():
        if node.is_leaf:
            continue
        try:
            result = ahp_weights(node.pairwise, system.random_index)
        except AhpMatrixError as error:
            raise DefinitionError(
                f"{system.source_file}: index system {system.system_code!r}, "
                f"node {node.code!r}: {error}"
            ) from error
        if not result.is_consistent:
            raise InconsistentMatrixError(system.system_code, node.code, result)
        results[node.code] = result
        local_weight.update(zip((c.code for c in node.children), result.weights, strict=True))

    rows = []
    for node, parent, depth, position in system.nodes():
        result = results.get(node.code)
        rows.append(
            NodeWeight(
                system_code=system.system_code,
                node_code=node.code,
                parent_code=parent.code if parent else None,
                node_level=LEVEL_NAMES[depth],
                depth=depth,
                position=position,
                name_zh=node.name_zh,
                name_en=node.name_en,
                unit=node.unit,
                direction=node.direction,
                local_weight=local_weight[node.code],
                n_children=len(node.children),
                lambda_max=result.lambda_max if result else None,
                consistency_index=result.consistency_index if result else None,
                random_index=result.random_index if result else None,
                consistency_ratio=result.consistency_ratio if result else None,
                random_index_table=system.random_index,
            )
        )
    return rows

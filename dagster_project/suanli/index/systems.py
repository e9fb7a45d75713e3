"""Index systems as data: parse a definition file and weigh its hierarchy with AHP.

A definition (one YAML file per system under `seeds/index_systems/`) holds the hierarchy,
the names of its inner nodes, its indicators by code (names, unit and direction come from the
indicator catalogue, `suanli.index.catalogue`) and the pairwise judgements of every inner
node: either one matrix (`pairwise`) or several experts' matrices (`experts: [{name,
pairwise, weight?}, …]`), which are aggregated by the element-wise geometric mean (AIJ)
before the eigenvector is taken, or (`panel: {aggregation: aip}`) each expert's eigenvector is
taken and the vectors aggregated by their weighted geometric mean (AIP). Filled questionnaires
replace a node's matrices with their experts' (`suanli.index.panel.assembly`). A
node may be `include: <system>#<node>`, reusing another system's subtree (and its judgements)
verbatim. An optional `treatment:` block switches on COINr's outlier treatment before
standardisation (`OutlierTreatment`, `suanli.index.treat`). This module turns it into flat node
rows that the generic dbt pipeline reads; nothing here knows any indicator.

Every expert's matrix must itself be acceptable (CR < 0.10) or the definition is refused:
AIJ presumes each judge is consistent (Saaty; Forman and Peniwati 1998), and a geometric mean
can hide one expert's contradictions behind the others' agreement. Leaving such an expert out
silently would change the panel, so the run stops and names system, node, expert and CR.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any

import yaml

from suanli.index.ahp import (
    CR_THRESHOLD,
    AhpMatrixError,
    AhpResult,
    aggregate_judgements,
    ahp_weights,
)
from suanli.index.catalogue import Indicator, load_catalogue
from suanli.index.panel.group import aggregate_priorities
from suanli.index.treat import MAX_KURTOSIS, MAX_SKEW, MAX_WINSORISED

LEVEL_NAMES = ("composite", "primary", "secondary", "tertiary")
# minmax_per_year: each year rescaled to 0-100 on its own (ranks within a year);
# minmax_base_year: every year scaled by the base year's min and max (scores comparable
# across years, so later years may leave 0-100). METHODOLOGY.md §2.
STANDARDISATIONS = ("minmax_per_year", "minmax_base_year")
# What fills a missing indicator value before standardisation (the `missing:` block): none
# (left out: its parent renormalises the weights of its siblings that have a score), the
# year's median over the units, the unit's latest earlier value, or its region's mean.
IMPUTATIONS = ("none", "year_median", "previous_year", "regional_mean")
# How a panel of experts becomes one node's weights (the `panel:` block): the weighted geometric
# mean of their matrices (AIJ), or of their priority vectors (AIP); Forman & Peniwati 1998.
PANEL_AGGREGATIONS = ("aij", "aip")


class DefinitionError(ValueError):
    """A definition file that cannot be used; the message names the file and the node."""


@dataclass(frozen=True)
class OutlierTreatment:
    """A definition's `treatment:` block: COINr's outlier rule (`suanli.index.treat`), applied
    per year, unit level and indicator before standardisation when `winsorise` is true; off by
    default. Columns failing the rule are flagged either way (marts.fct_indicator_treatments)."""

    winsorise: bool = False
    max_winsorised: int = MAX_WINSORISED  # COINr's winmax
    max_skew: float = MAX_SKEW  # |skew| at or above this ...
    max_kurtosis: float = MAX_KURTOSIS  # ... and kurtosis at or above this: outliers

    FIELDS = ("winsorise", "max_winsorised", "max_skew", "max_kurtosis")


@dataclass(frozen=True)
class MissingPolicy:
    """How a system treats missing indicator values (the definition's `missing:` block).

    `impute` fills a missing value before standardisation (every filled value is labelled
    imputed); `min_data_share` is the share of the system's indicators a unit must have
    delivered (before imputation) in a year to be scored at all."""

    impute: str = "none"
    min_data_share: float = 0.0


@dataclass(frozen=True)
class Expert:
    """One judge's pairwise matrix over a node's children; `name` is None for a node that
    gives a single `pairwise` matrix; `weight` is the judge's relative say in the AIJ."""

    name: str | None
    pairwise: Sequence[Sequence[Any]]
    weight: float = 1.0
    # A questionnaire's expert (`suanli.index.panel.assembly`): their id, the workbook's
    # SHA-256, and the pairs (i < j) they left blank, completed in `pairwise`.
    expert_id: str | None = None
    delivery_id: str | None = None
    completed: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Node:
    code: str
    name_zh: str
    name_en: str
    experts: tuple[Expert, ...] = ()
    children: tuple[Node, ...] = ()
    unit: str | None = None
    direction: str | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def aggregation(self) -> str | None:
        if self.is_leaf:
            return None
        return "single" if len(self.experts) == 1 and self.experts[0].name is None else "aij"


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
    base_year: int | None = None
    description: str = ""
    # An approximation of a published system (e.g. 3.0 rebuilt from 4.0's indicators), and
    # what it approximates: readers must not take its scores for the published ones.
    approximation: bool = False
    approximates: str = ""
    # First year its source history must reach (e.g. six-year shipment sums of the first
    # index year): those years become year partitions too, without scores.
    history_from: int | None = None
    treatment: OutlierTreatment = OutlierTreatment()
    missing: MissingPolicy = MissingPolicy()
    panel_aggregation: str = "aij"

    def inner_nodes(self) -> list[Node]:
        """The nodes that have children (whose judgements make weights), in hierarchy order."""
        return [node for node, _, _, _ in self.nodes() if not node.is_leaf]

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


@dataclass(frozen=True)
class ExpertJudgement:
    """One row of `definitions.index_node_experts`: one expert's matrix at one node, its own
    consistency, and the node's aggregate CR (the matrix the weights come from)."""

    system_code: str
    node_code: str
    expert_position: int
    expert_name: str | None
    expert_weight: float
    aggregation: str
    n_experts: int
    n: int
    judgements: str
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    is_consistent: bool
    aggregate_consistency_ratio: float
    random_index_table: str
    expert_id: str | None = None
    delivery_id: str | None = None
    completed_pairs: int = 0
    completed: str = "[]"  # the completed pairs [[i, j], …] (JSON, 0-based, i < j)
    local_weights: str = "[]"  # this expert's own priority vector (JSON), for AIP and dispersion


@dataclass(frozen=True)
class SystemWeights:
    nodes: list[NodeWeight]
    experts: list[ExpertJudgement]


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


class InconsistentExpertError(DefinitionError):
    """One expert's own matrix is not acceptable: stop before it enters the group matrix."""

    def __init__(
        self, source_file: str, system_code: str, node_code: str, expert: str, result: AhpResult
    ) -> None:
        self.system_code, self.node_code, self.expert, self.result = (
            system_code,
            node_code,
            expert,
            result,
        )
        super().__init__(
            f"{source_file}: index system {system_code!r}, node {node_code!r}, expert "
            f"{expert!r}: AHP consistency ratio CR = {result.consistency_ratio:.4f} is not "
            f"below {CR_THRESHOLD:.2f} (n = {result.n}, λmax = {result.lambda_max:.4f}, "
            f"RI = {result.random_index} from {result.random_index_table}); every expert's "
            "matrix must be acceptable before the experts are aggregated (AIJ): have this "
            "expert revise their judgements, or leave them out of the panel"
        )


@dataclass
class _Parser:
    source: str
    directory: Path
    catalogue: dict[str, Indicator]
    seen: set[str] = field(default_factory=set)

    def fail(self, where: str, message: str) -> DefinitionError:
        return DefinitionError(f"{self.source}: {where}: {message}")

    def included(self, reference: str, where: str) -> dict[str, Any]:
        """`include: <system file stem>#<node code>`: that node's subtree, as written there."""
        stem, _, code = reference.partition("#")
        path = self.directory / f"{stem}.yml"
        if not code or not path.is_file():
            raise self.fail(where, f"include {reference!r}: expected '<system>#<node>' of a file")
        stack = [yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["root"]]
        while stack:
            candidate = stack.pop()
            if not isinstance(candidate, dict):
                continue  # an indicator code: included through its parent, never alone
            if candidate.get("code") == code:
                return candidate
            stack.extend(candidate.get("children") or [])
        raise self.fail(where, f"include {reference!r}: no node {code!r} in {path.name}")

    def node(self, raw: Any, depth: int, where: str) -> Node:
        if isinstance(raw, dict) and "include" in raw:
            raw = self.included(str(raw["include"]), where)
        if isinstance(raw, str):
            return self.indicator(raw, depth, where)
        if not isinstance(raw, dict):
            raise self.fail(
                where, "expected an indicator code or a mapping with code, name_zh, name_en"
            )
        if not raw.get("children"):
            raise self.fail(
                where,
                "an indicator is given by its code alone (names, unit and direction come from "
                "the indicator catalogue); an inner node needs children",
            )
        missing = [key for key in ("code", "name_zh", "name_en") if not raw.get(key)]
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        code = str(raw["code"])
        where = f"node {code!r}"
        self.claim(code, where)
        if depth >= len(LEVEL_NAMES) - 1:
            raise self.fail(where, f"hierarchy deeper than {len(LEVEL_NAMES)} levels")
        children = tuple(
            self.node(child, depth + 1, f"child {i} of {code!r}")
            for i, child in enumerate(raw["children"], start=1)
        )
        return Node(
            code,
            raw["name_zh"],
            raw["name_en"],
            experts=self.experts(raw, len(children), where),
            children=children,
        )

    def indicator(self, code: str, depth: int, where: str) -> Node:
        """A leaf: an indicator code of the catalogue, at the tertiary level."""
        where = f"indicator {code!r} ({where})"
        indicator = self.catalogue.get(code)
        if indicator is None:
            raise self.fail(
                where, "not in the indicator catalogue (seeds/reference/indicators.csv)"
            )
        self.claim(code, where)
        if depth != len(LEVEL_NAMES) - 1:
            raise self.fail(where, f"a leaf must be {LEVEL_NAMES[-1]}, found at depth {depth}")
        return Node(
            code,
            indicator.name_zh,
            indicator.name_en,
            unit=indicator.unit,
            direction=indicator.direction,
        )

    def claim(self, code: str, where: str) -> None:
        if code in self.seen:
            raise self.fail(where, "node code used twice")
        self.seen.add(code)

    def experts(self, raw: dict[str, Any], n: int, where: str) -> tuple[Expert, ...]:
        """The node's judgements: one `pairwise` matrix, or `experts` each with their own."""
        size = f"a {n}×{n} pairwise matrix over its children"
        if "experts" in raw and "pairwise" in raw:
            raise self.fail(where, "give either `pairwise` or `experts`, not both")
        if "experts" not in raw:
            if not _is_matrix_of(raw.get("pairwise"), n):
                raise self.fail(where, f"needs {size} (or `experts` with one each)")
            return (Expert(None, raw["pairwise"]),)
        listed = raw["experts"]
        if not isinstance(listed, list) or not listed:
            raise self.fail(where, "`experts` must be a non-empty list of {name, pairwise}")
        experts: list[Expert] = []
        for i, entry in enumerate(listed, start=1):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not name or not isinstance(name, str):
                raise self.fail(where, f"expert {i} needs a name")
            if name in {expert.name for expert in experts}:
                raise self.fail(where, f"expert {name!r} is listed twice")
            if not _is_matrix_of(entry.get("pairwise"), n):
                raise self.fail(where, f"expert {name!r} needs {size}")
            weight = entry.get("weight", 1)
            if not isinstance(weight, Real) or isinstance(weight, bool) or not weight > 0:
                raise self.fail(where, f"expert {name!r}: weight must be a positive number")
            experts.append(Expert(name, entry["pairwise"], float(weight)))
        return tuple(experts)


def _missing_policy(raw: Any, parser: _Parser) -> MissingPolicy:
    """The `missing:` block: absent means no imputation and no data threshold."""
    if raw is None:
        return MissingPolicy()
    if not isinstance(raw, dict):
        raise parser.fail(
            "missing", f"expected a mapping with impute, min_data_share, found {raw!r}"
        )
    unknown = sorted(set(raw) - {"impute", "min_data_share"})
    if unknown:
        raise parser.fail(f"missing.{unknown[0]}", "unknown key; expected impute or min_data_share")
    impute = raw.get("impute", "none")
    if impute not in IMPUTATIONS:
        raise parser.fail(
            "missing.impute", f"value {impute!r}: expected one of {', '.join(IMPUTATIONS)}"
        )
    share = raw.get("min_data_share", 0.0)
    if not isinstance(share, Real) or isinstance(share, bool) or not 0 <= share <= 1:
        raise parser.fail(
            "missing.min_data_share",
            f"value {share!r}: expected a share of the system's indicators from 0 to 1",
        )
    return MissingPolicy(impute=impute, min_data_share=float(share))


def _is_matrix_of(pairwise: Any, n: int) -> bool:
    # Only the row count here: ahp.py names the cell of any malformed row or judgement.
    return isinstance(pairwise, list) and len(pairwise) == n


def load_system(path: Path, catalogue: dict[str, Indicator] | None = None) -> IndexSystem:
    """Parse and validate one definition file (structure only; weights come from `weigh`)."""
    source = path.name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as error:
        raise DefinitionError(f"{source}: not valid YAML: {error}") from error
    parser = _Parser(source, path.parent, load_catalogue() if catalogue is None else catalogue)
    if not isinstance(raw, dict):
        raise parser.fail("top level", "expected a mapping")
    missing = [
        key
        for key in ("system_code", "name_zh", "name_en", "unit_level", "years", "root")
        if key not in raw
    ]
    if missing:
        raise parser.fail("top level", f"missing {', '.join(missing)}")
    years = tuple(int(year) for year in raw["years"])
    standardisation = raw.get("standardisation", "minmax_per_year")
    if standardisation not in STANDARDISATIONS:
        raise parser.fail("standardisation", f"must be one of {STANDARDISATIONS}")
    base_year = raw.get("base_year")
    if standardisation == "minmax_base_year":
        if not isinstance(base_year, int) or base_year not in years:
            raise parser.fail(
                "base_year",
                f"minmax_base_year needs a base_year among the system's years {list(years)}, "
                f"found {base_year!r}",
            )
    elif base_year is not None:
        raise parser.fail(
            "base_year", f"only minmax_base_year uses a base year, not {standardisation}"
        )
    history_from = raw.get("history_from")
    if history_from is not None and (
        not isinstance(history_from, int)
        or isinstance(history_from, bool)
        or history_from > min(years)
    ):
        raise parser.fail(
            "history_from",
            f"must be a year no later than the first index year {min(years)}, "
            f"found {history_from!r}",
        )
    approximation = raw.get("approximation", False)
    if not isinstance(approximation, bool):
        raise parser.fail("approximation", "must be true or false")
    if approximation and not raw.get("approximates"):
        raise parser.fail("approximates", "an approximation must say what it approximates")
    return IndexSystem(
        system_code=str(raw["system_code"]),
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        report=raw.get("report", ""),
        unit_level=raw["unit_level"],
        years=years,
        standardisation=standardisation,
        constant_column_score=float(raw.get("constant_column_score", 0)),
        random_index=raw.get("random_index", "saaty_1980"),
        root=parser.node(raw["root"], 0, "root"),
        source_file=source,
        base_year=base_year,
        description=str(raw.get("description") or "").strip(),
        approximation=approximation,
        approximates=str(raw.get("approximates") or ""),
        history_from=history_from,
        treatment=_outlier_treatment(parser, raw.get("treatment"), standardisation),
        missing=_missing_policy(raw.get("missing"), parser),
        panel_aggregation=_panel_aggregation(raw.get("panel"), parser),
    )


def _panel_aggregation(raw: Any, parser: _Parser) -> str:
    """The `panel:` block: `aggregation: aij | aip` (default aij)."""
    if raw is None:
        return "aij"
    if not isinstance(raw, dict) or set(raw) - {"aggregation"}:
        raise parser.fail("panel", f"expected a mapping with aggregation, found {raw!r}")
    aggregation = raw.get("aggregation", "aij")
    if aggregation not in PANEL_AGGREGATIONS:
        raise parser.fail(
            "panel.aggregation",
            f"value {aggregation!r}: expected one of {', '.join(PANEL_AGGREGATIONS)}",
        )
    return str(aggregation)


def _outlier_treatment(parser: _Parser, raw: Any, standardisation: str) -> OutlierTreatment:
    """The `treatment:` block; absent (or empty) means COINr's defaults with winsorise off."""
    if raw is None:
        return OutlierTreatment()
    fields = ", ".join(OutlierTreatment.FIELDS)
    if not isinstance(raw, dict):
        raise parser.fail("treatment", f"expected a mapping with {fields}, found {raw!r}")
    unknown = sorted(str(key) for key in raw if key not in OutlierTreatment.FIELDS)
    if unknown:
        raise parser.fail("treatment", f"unknown field {unknown[0]!r}: expected {fields}")
    defaults = OutlierTreatment()
    winsorise = raw.get("winsorise", defaults.winsorise)
    if not isinstance(winsorise, bool):
        raise parser.fail("treatment.winsorise", f"expected true or false, found {winsorise!r}")
    max_winsorised = raw.get("max_winsorised", defaults.max_winsorised)
    if (
        not _is_number(max_winsorised)
        or not float(max_winsorised).is_integer()
        or (max_winsorised < 0)
    ):
        raise parser.fail(
            "treatment.max_winsorised",
            f"expected a whole number of points ≥ 0 (COINr's winmax), found {max_winsorised!r}",
        )
    thresholds = {}
    for key in ("max_skew", "max_kurtosis"):
        value = raw.get(key, getattr(defaults, key))
        if not _is_number(value) or not math.isfinite(value) or value <= 0:
            raise parser.fail(f"treatment.{key}", f"expected a number > 0, found {value!r}")
        thresholds[key] = float(value)
    if winsorise and standardisation == "minmax_base_year":
        raise parser.fail(
            "treatment.winsorise",
            "expected false with minmax_base_year, found true: each year is treated on its "
            "own (winsorised, or logged in some years only), so treated values would no "
            "longer compare with the base year's min and max",
        )
    return OutlierTreatment(winsorise, int(max_winsorised), **thresholds)


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def load_systems(directory: Path) -> list[IndexSystem]:
    catalogue = load_catalogue()
    systems = [load_system(path, catalogue) for path in sorted(directory.glob("*.yml"))]
    codes = [system.system_code for system in systems]
    duplicated = sorted({code for code in codes if codes.count(code) > 1})
    if duplicated:
        raise DefinitionError(f"{directory}: system codes defined twice: {duplicated}")
    return systems


def weigh(system: IndexSystem) -> list[NodeWeight]:
    """AHP local weights for every node; stops on a malformed or inconsistent matrix."""
    return weigh_system(system).nodes


def weigh_system(system: IndexSystem) -> SystemWeights:
    """Node weights and every expert's judgement; stops on a malformed matrix, an expert whose
    own matrix is inconsistent, or an inconsistent (aggregate) node matrix."""
    local_weight: dict[str, float] = {system.root.code: 1.0}
    results: dict[str, AhpResult] = {}
    experts: list[ExpertJudgement] = []
    for node, _, _, _ in system.nodes():
        if node.is_leaf:
            continue
        individual = [_judge(system, node, expert) for expert in node.experts]
        result = individual[0]
        aggregation = "single" if node.aggregation == "single" else system.panel_aggregation
        weights = result.weights
        if aggregation != "single":
            # The AIJ matrix's consistency is the panel's, whichever way it is aggregated.
            group = aggregate_judgements(
                [expert.pairwise for expert in node.experts],
                [expert.weight for expert in node.experts],
            )
            result = _judge(system, node, Expert(None, group))
            weights = result.weights
            if aggregation == "aip":
                weights = tuple(
                    float(w)
                    for w in aggregate_priorities(
                        [own.weights for own in individual],
                        [expert.weight for expert in node.experts],
                    )
                )
        if not result.is_consistent:
            raise InconsistentMatrixError(system.system_code, node.code, result)
        results[node.code] = result
        local_weight.update(zip((c.code for c in node.children), weights, strict=True))
        total_weight = sum(expert.weight for expert in node.experts)
        experts.extend(
            ExpertJudgement(
                system_code=system.system_code,
                node_code=node.code,
                expert_position=position,
                expert_name=expert.name,
                expert_weight=expert.weight / total_weight,
                aggregation=aggregation,
                n_experts=len(node.experts),
                n=own.n,
                judgements=json.dumps(expert.pairwise, ensure_ascii=False),
                lambda_max=own.lambda_max,
                consistency_index=own.consistency_index,
                random_index=own.random_index,
                consistency_ratio=own.consistency_ratio,
                is_consistent=own.is_consistent,
                aggregate_consistency_ratio=result.consistency_ratio,
                random_index_table=own.random_index_table,
                expert_id=expert.expert_id,
                delivery_id=expert.delivery_id,
                completed_pairs=len(expert.completed),
                completed=json.dumps([list(pair) for pair in expert.completed]),
                local_weights=json.dumps([round(w, 12) for w in own.weights]),
            )
            for position, (expert, own) in enumerate(
                zip(node.experts, individual, strict=True), start=1
            )
        )

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
    return SystemWeights(rows, experts)


def _judge(system: IndexSystem, node: Node, expert: Expert) -> AhpResult:
    """AHP of one matrix; an individual expert's must be acceptable on its own."""
    try:
        result = ahp_weights(expert.pairwise, system.random_index)
    except AhpMatrixError as error:
        whose = f", expert {expert.name!r}" if expert.name else ""
        raise DefinitionError(
            f"{system.source_file}: index system {system.system_code!r}, "
            f"node {node.code!r}{whose}: {error}"
        ) from error
    if expert.name is not None and not result.is_consistent:
        raise InconsistentExpertError(
            system.source_file, system.system_code, node.code, expert.name, result
        )
    return result

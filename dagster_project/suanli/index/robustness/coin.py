"""One object per index system, year and unit level holding the data and metadata the
robustness audit works on (COINr's "coin"): the units, the indicators and their raw values,
the hierarchy with its nominal local weights and the judgements behind them.

Built from the warehouse's own tables (`coins_from_frames`), so the audit scores exactly what
the published marts scored: the same values, the same weights, the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from suanli.index.ahp import load_random_index_tables, parse_judgement
from suanli.index.treat import MAX_KURTOSIS, MAX_SKEW, MAX_WINSORISED


@dataclass(frozen=True)
class Panel:
    """The judgements behind one inner node's local weights: K matrices over its n children
    (K = 1 for a single `pairwise` matrix) and each judge's relative say."""

    matrices: np.ndarray  # (K, n, n)
    expert_weights: np.ndarray  # (K,)
    named: bool  # a panel of named experts (bootstrapped), not one matrix (perturbed)
    aggregation: str = "aij"  # how the panel's judgements make weights: aij or aip


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """Every node of a system, parents before children (row 0 is the composite)."""

    codes: tuple[str, ...]
    parents: np.ndarray  # index of the parent, -1 for the composite
    local_weights: np.ndarray  # nominal AHP local weights
    columns: np.ndarray  # for an indicator its column in Coin.values, -1 for an inner node
    panels: Mapping[int, Panel]  # inner node index → its judgements
    random_index: Mapping[int, float]  # the system's RI table, by matrix size n

    @cached_property
    def inner(self) -> np.ndarray:
        """Inner nodes, parents first."""
        return np.flatnonzero(self.columns < 0)

    @cached_property
    def children(self) -> dict[int, np.ndarray]:
        return {int(node): np.flatnonzero(self.parents == node) for node in self.inner}


@dataclass(frozen=True, eq=False)
class Coin:
    system_code: str
    year: int
    unit_level: str
    units: tuple[str, ...]
    regions: tuple[str, ...]  # each unit's region (a city: its province's)
    indicators: tuple[str, ...]
    negative: np.ndarray  # (I,) True where a lower value is better
    values: np.ndarray  # (U, I) raw values, NaN where missing
    previous: np.ndarray  # (U, I) the unit's latest earlier value in the system's years
    base_ranges: np.ndarray | None  # (2, I) base-year min and max (minmax_base_year)
    constant_column_score: float
    hierarchy: Hierarchy
    # The system's missing-value policy: its imputation rule and data-availability threshold.
    imputation: str = "none"
    min_data_share: float = 0.0
    # The system's outlier treatment (COINr's rule, suanli.index.treat): on or off, and its
    # winmax and thresholds.
    winsorise: bool = False
    treatment_limits: tuple[int, float, float] = (MAX_WINSORISED, MAX_SKEW, MAX_KURTOSIS)


def _matrix(judgements: str) -> np.ndarray:
    return np.array([[parse_judgement(value) for value in row] for row in json.loads(judgements)])


def _hierarchy(
    nodes: pd.DataFrame, experts: pd.DataFrame, ri_table: str, indicators: tuple[str, ...]
) -> Hierarchy:
    ordered = nodes.sort_values(["depth", "parent_code", "position"], na_position="first")
    codes = tuple(ordered["node_code"])
    position = {code: i for i, code in enumerate(codes)}
    parents = np.array([position.get(parent, -1) for parent in ordered["parent_code"]])
    column_of = {code: i for i, code in enumerate(indicators)}
    columns = np.array(
        [
            column_of[code] if n == 0 else -1
            for code, n in zip(codes, ordered["n_children"], strict=True)
        ]
    )
    panels = {}
    for code, group in experts.groupby("node_code", sort=True):
        group = group.sort_values("expert_position")
        panels[position[code]] = Panel(
            matrices=np.stack([_matrix(text) for text in group["judgements"]]),
            expert_weights=group["expert_weight"].fillna(1.0).to_numpy(dtype=float),
            named=bool(group["expert_name"].notna().any()),
            aggregation=str(group["aggregation"].iloc[0]),
        )
    return Hierarchy(
        codes=codes,
        parents=parents,
        local_weights=ordered["local_weight"].to_numpy(dtype=float),
        columns=columns,
        panels=panels,
        random_index=load_random_index_tables()[ri_table],
    )


def _region_of(unit_level: str, regions: Mapping[str, str]):
    if unit_level == "province":
        return lambda code: regions.get(code, "")
    return lambda code: regions.get(f"{code[:2]}0000", "")


def coins_from_frames(
    systems: pd.DataFrame,
    nodes: pd.DataFrame,
    experts: pd.DataFrame,
    values: pd.DataFrame,
    provinces: pd.DataFrame,
    years: set[int] | None = None,
) -> Iterator[Coin]:
    """A coin per system and year (of `years`, default all) from the warehouse's tables:
    `stg_index_systems`, `stg_index_nodes`, `stg_index_node_experts`, `int_indicator_values`
    and `reference.provinces`. The units of a year are those with any of the system's values."""
    regions = dict(zip(provinces["province_code"], provinces["region"], strict=True))
    for system in systems.sort_values("system_code").itertuples():
        system_nodes = nodes[nodes["system_code"] == system.system_code]
        leaves = system_nodes[system_nodes["n_children"] == 0].sort_values("node_code")
        indicators = tuple(leaves["node_code"])
        hierarchy = _hierarchy(
            system_nodes,
            experts[experts["system_code"] == system.system_code],
            system.random_index_table,
            indicators,
        )
        system_values = values[
            (values["unit_level"] == system.unit_level)
            & values["indicator_code"].isin(indicators)
            & values["year"].between(system.first_year, system.last_year)
        ]
        if system_values.empty:
            continue
        wide = (
            system_values.set_index(["year", "unit_code", "indicator_code"])["raw_value"]
            .astype(float)
            .unstack("indicator_code")
            .reindex(columns=list(indicators))
        )
        base_ranges = None
        if system.standardisation == "minmax_base_year":
            if int(system.base_year) not in wide.index.get_level_values("year"):
                continue  # int_indicator_scores stops the build, naming the missing year
            base = wide.loc[int(system.base_year)]
            base_ranges = np.vstack([base.min().to_numpy(), base.max().to_numpy()])
        region_of = _region_of(system.unit_level, regions)
        negative = (leaves["direction"] == "negative").to_numpy()
        built = sorted({int(year) for year in wide.index.get_level_values(0)})
        for year in built:
            if years is not None and year not in years:
                continue
            frame = wide.loc[year].dropna(how="all").sort_index()
            units = tuple(frame.index)
            earlier = [
                wide.loc[y].reindex(units) for y in built if y < year
            ]  # oldest first: a later year's value wins
            previous = np.full(frame.shape, np.nan)
            for older in earlier:
                previous = np.where(np.isnan(older.to_numpy()), previous, older.to_numpy())
            yield Coin(
                system_code=system.system_code,
                year=year,
                unit_level=system.unit_level,
                units=units,
                regions=tuple(region_of(code) for code in units),
                indicators=indicators,
                negative=negative,
                values=frame.to_numpy(dtype=float),
                previous=previous,
                base_ranges=base_ranges,
                constant_column_score=float(system.constant_column_score),
                hierarchy=hierarchy,
                imputation=str(getattr(system, "missing_impute", None) or "none"),
                min_data_share=float(getattr(system, "min_data_share", None) or 0.0),
                winsorise=bool(getattr(system, "winsorise", False)),
                treatment_limits=(
                    int(getattr(system, "max_winsorised", MAX_WINSORISED)),
                    float(getattr(system, "max_skew", MAX_SKEW)),
                    float(getattr(system, "max_kurtosis", MAX_KURTOSIS)),
                ),
            )

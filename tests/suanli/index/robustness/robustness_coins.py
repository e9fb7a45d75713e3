"""A coin small enough to score by hand: three units, two indicators under the composite."""

from __future__ import annotations

import numpy as np

from suanli.index.ahp import load_random_index_tables
from suanli.index.robustness.coin import Coin, Hierarchy, Panel

UNITS = ("u1", "u2", "u3")
# a: 10, 20, 30 → min–max 0, 50, 100; b: 1, 3, 2 → 0, 100, 50.
VALUES = np.array([[10.0, 1.0], [20.0, 3.0], [30.0, 2.0]])
# Judgements 3 : 1 → weights 0.75 and 0.25, so the composite is 0, 62.5, 87.5.
PAIRWISE = np.array([[1.0, 3.0], [1 / 3, 1.0]])


def tiny_coin(
    values: np.ndarray = VALUES,
    *,
    negative: tuple[bool, bool] = (False, False),
    previous: np.ndarray | None = None,
    regions: tuple[str, ...] = ("east", "east", "west"),
    panel: Panel | None = None,
    min_data_share: float = 0.0,
) -> Coin:
    hierarchy = Hierarchy(
        codes=("composite", "a", "b"),
        parents=np.array([-1, 0, 0]),
        local_weights=np.array([1.0, 0.75, 0.25]),
        columns=np.array([-1, 0, 1]),
        panels={0: panel or Panel(PAIRWISE[None], np.array([1.0]), named=False)},
        random_index=load_random_index_tables()["saaty_1980"],
    )
    return Coin(
        system_code="tiny",
        year=2025,
        unit_level="province",
        units=UNITS,
        regions=regions,
        indicators=("a", "b"),
        negative=np.array(negative),
        values=np.array(values, dtype=float),
        previous=np.full((3, 2), np.nan) if previous is None else previous,
        base_ranges=None,
        constant_column_score=0.0,
        hierarchy=hierarchy,
        min_data_share=min_data_share,
    )


def two_level_coin(values: np.ndarray) -> Coin:
    """composite → p (0.5: a 0.5, b 0.5), q (0.5: c): four indicators' worth of levels."""
    hierarchy = Hierarchy(
        codes=("composite", "p", "q", "a", "b", "c"),
        parents=np.array([-1, 0, 0, 1, 1, 2]),
        local_weights=np.array([1.0, 0.5, 0.5, 0.5, 0.5, 1.0]),
        columns=np.array([-1, -1, -1, 0, 1, 2]),
        panels={},
        random_index=load_random_index_tables()["saaty_1980"],
    )
    return Coin(
        system_code="two_level",
        year=2025,
        unit_level="province",
        units=("u1", "u2", "u3"),
        regions=("r", "r", "r"),
        indicators=("a", "b", "c"),
        negative=np.array([False, False, False]),
        values=np.array(values, dtype=float),
        previous=np.full((3, 3), np.nan),
        base_ranges=None,
        constant_column_score=0.0,
        hierarchy=hierarchy,
    )

"""A panel's verdict.

Two ways to pool a panel (Forman & Peniwati 1998): AIJ, the geometric mean of the judgements
(`suanli.index.ahp.aggregate_judgements`), when the panel acts as one mind; AIP, the geometric
mean of each expert's priority vector (here), when the experts act as separate individuals whose
own consistent answers should count whole. How far the experts agree is measured where the
judgements are, in the marts `fct_panel_judgement_dispersion` (geometric SD: 3 and 1/3 are
equally far from 1) and `fct_panel_weight_dispersion` (interquartile range).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from suanli.index.ahp import expert_shares


def aggregate_priorities(
    vectors: Sequence[Sequence[float]], weights: Sequence[float] | None = None
) -> np.ndarray:
    """AIP: the weighted geometric mean of the experts' priority vectors, normalised to sum 1.

    The geometric mean keeps ratios between children (what AHP weights mean); it no longer sums
    to 1, hence the normalisation.
    """
    priorities = _positive(vectors, "priority")
    if priorities.ndim != 2:
        raise ValueError("priority vectors must all have the same length, one per child")
    pooled = np.exp(expert_shares(weights, len(priorities)) @ np.log(priorities))
    return pooled / pooled.sum()


def _positive(values: Sequence[float] | Sequence[Sequence[float]], what: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except ValueError:
        raise ValueError(f"{what}s are not numbers, or vectors of one length: {values!r}") from None
    if array.size == 0 or not np.isfinite(array).all() or (array <= 0).any():
        raise ValueError(f"{what}s must be positive numbers, found {values!r}")
    return array

"""A panel's verdict and how far its experts agree.

Two ways to pool a panel (Forman & Peniwati 1998): AIJ, the geometric mean of the judgements
(`suanli.index.ahp.aggregate_judgements`), when the panel acts as one mind; AIP, the geometric
mean of each expert's priority vector (here), when the experts act as separate individuals whose
own consistent answers should count whole. Dispersion is measured on the ratio scale the
judgements live on: 3 and 1/3 are equally far from 1, which the geometric SD respects and an
ordinary SD of the raw numbers does not.
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


def geometric_sd(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """exp of the (weighted, population) SD of ln values: 1.0 when the panel agrees exactly.

    A geometric SD of 2 means a typical expert's judgement is within a factor of 2 of the
    panel's geometric mean.
    """
    logs = np.log(_positive(values, "value"))
    if logs.ndim != 1:
        raise ValueError("geometric_sd takes one judgement per expert, a flat list")
    shares = expert_shares(weights, len(logs))
    mean = shares @ logs
    return float(np.exp(np.sqrt(shares @ (logs - mean) ** 2)))


def interquartile_range(values: Sequence[float]) -> float:
    """Q3 − Q1 by numpy's linear interpolation: the spread of the middle half of the panel."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0 or not np.isfinite(array).all():
        raise ValueError(f"interquartile_range needs finite numbers, found {values!r}")
    first, third = np.percentile(array, [25, 75])
    return float(third - first)


def _positive(values: Sequence[float] | Sequence[Sequence[float]], what: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except ValueError:
        raise ValueError(f"{what}s are not numbers, or vectors of one length: {values!r}") from None
    if array.size == 0 or not np.isfinite(array).all() or (array <= 0).any():
        raise ValueError(f"{what}s must be positive numbers, found {values!r}")
    return array

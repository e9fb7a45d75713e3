"""Consistency feedback an expert can act on: which one judgement to revise, and to what.

A CR of 0.23 alone tells an expert to "be more consistent" but not how. Changing a single answer
to another value of Saaty's scale is the smallest revision a questionnaire allows, so we try
every such change (blanks re-completed each time, as the node will be) and report the judgement
whose change lowers CR most, with the scale value nearest to what was written that brings CR
under the threshold: the least the expert must give up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from suanli.index.ahp import CR_THRESHOLD, ahp_weights
from suanli.index.panel.completion import complete
from suanli.index.panel.scale import SCALE_VALUES, format_judgement

# CRs closer than this are ties (eigenvalues of different matrices differ in the last bits).
TIE_DECIMALS = 12


@dataclass(frozen=True)
class Revision:
    pair: tuple[int, int]  # (i, j), i < j: the judgement a_ij to revise
    written: float
    suggested: float | None  # nearest scale value to `written` with CR < threshold, if any
    suggested_cr: float | None
    best_value: float  # the scale value giving the lowest CR for this pair
    best_cr: float
    current_cr: float
    threshold: float = CR_THRESHOLD


def suggest_revision(
    n: int,
    judgements: Mapping[tuple[int, int], float],
    random_index_table: str = "saaty_1980",
    threshold: float = CR_THRESHOLD,
) -> Revision:
    """The answered judgement whose change to a scale value lowers CR most (ties: first pair).

    Meant for a node whose CR is at or above `threshold`; for a consistent one the suggestion
    is simply the written value (or its nearest scale value).
    """
    answered = {pair: float(value) for pair, value in judgements.items()}
    current = ahp_weights(complete(n, answered).matrix.tolist(), random_index_table)
    if not answered:
        raise ValueError("no judgement was answered, so none can be revised")
    pairs = sorted(answered)
    crs = _candidate_crs(n, answered, pairs, current.random_index)
    lowest = np.round(crs.min(axis=1), TIE_DECIMALS)
    row = int(np.flatnonzero(lowest == lowest.min())[0])
    pair, written = pairs[row], answered[pairs[row]]

    distance = [abs(math.log(value / written)) for value in SCALE_VALUES]
    scale = range(len(SCALE_VALUES))
    best = min(scale, key=lambda k: (round(crs[row, k], TIE_DECIMALS), distance[k]))
    under = [k for k in scale if crs[row, k] < threshold]
    nearest = min(under, key=lambda k: (distance[k], crs[row, k]), default=None)
    return Revision(
        pair=pair,
        written=written,
        suggested=None if nearest is None else SCALE_VALUES[nearest],
        suggested_cr=None if nearest is None else float(crs[row, nearest]),
        best_value=SCALE_VALUES[best],
        best_cr=float(crs[row, best]),
        current_cr=current.consistency_ratio,
        threshold=threshold,
    )


def describe(revision: Revision, names: Sequence[str]) -> str:
    """One line for the expert, e.g. `A vs B: you wrote 7; 3 gives CR 0.06`."""
    i, j = revision.pair
    head = f"{names[i]} vs {names[j]}: you wrote {format_judgement(revision.written)}"
    if revision.suggested is not None and revision.suggested_cr is not None:
        return (
            f"{head}; {format_judgement(revision.suggested)} gives CR {revision.suggested_cr:.2f}"
        )
    return (
        f"{head}; no single value brings CR under {revision.threshold:.2f} "
        f"(the best, {format_judgement(revision.best_value)}, gives CR {revision.best_cr:.2f}): "
        "revise this judgement first"
    )


def _candidate_crs(
    n: int,
    answered: Mapping[tuple[int, int], float],
    pairs: Sequence[tuple[int, int]],
    random_index: float,
) -> np.ndarray:
    """CR for each pair (rows) changed to each scale value (columns), as one eigvals call."""
    values = np.array(SCALE_VALUES)
    if len(answered) == n * (n - 1) // 2:
        # Nothing blank: only the changed entry differs, so set it across a stack of copies.
        stack = np.repeat(complete(n, answered).matrix[None, None], len(pairs), axis=0)
        stack = np.repeat(stack, len(values), axis=1)
        for row, (i, j) in enumerate(pairs):
            stack[row, :, i, j], stack[row, :, j, i] = values, 1.0 / values
    else:
        # Blanks depend on every answer, so each candidate is completed afresh.
        stack = np.array(
            [
                [complete(n, {**answered, pair: value}).matrix for value in SCALE_VALUES]
                for pair in pairs
            ]
        )
    if n <= 2 or random_index <= 0:
        return np.zeros(stack.shape[:2])
    lambda_max = np.linalg.eigvals(stack).real.max(axis=-1)
    return np.maximum(0.0, (lambda_max - n) / (n - 1)) / random_index

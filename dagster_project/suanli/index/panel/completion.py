"""Incomplete comparison matrices: the blanks an expert left, filled as consistently as possible.

An expert may skip pairs. The blanks are filled by Bozóki, Fülöp & Rónyai (2010, Mathematical and
Computer Modelling 52): choose the missing entries that minimise λmax, i.e. the completion that
makes the answered judgements look least inconsistent. With x = exp(y) for each blank, λmax is a
convex function of y and (being a simple Perron root) a smooth one, so instead of the paper's
cyclic coordinates we take Newton steps over all y at once with the exact gradient and Hessian,
starting from the logarithmic least-squares completion (already optimal when the answers are
consistent): a few steps reach a gradient of ~1e-15, where one-dimensional searches on λmax
itself stall near 1e-8 because λmax is flat at its minimum. The optimum is unique exactly when
the comparison graph is connected, hence the check below.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

# Newton stops when a step moves no log-entry by more than this (entries then agree to ~1e-12).
STEP_TOLERANCE = 1e-10
MAX_NEWTON_STEPS = 100


class UnconnectedComparisonsError(ValueError):
    """The answered pairs leave some children incomparable; `components` lists the groups."""

    def __init__(self, components: list[list[int]]) -> None:
        self.components = components
        groups = "; ".join("{" + ", ".join(map(str, group)) + "}" for group in components)
        super().__init__(
            f"the answered pairs do not connect all children: {groups} are never compared with "
            "one another (answer at least one pair between each of these groups)"
        )


@dataclass(frozen=True)
class Completion:
    matrix: np.ndarray  # n×n positive reciprocal, blanks filled
    filled: tuple[tuple[int, int], ...]  # the blank pairs (i < j) that were computed
    method: str  # "none" when nothing was blank, else "bozoki_2010"


def complete(n: int, judgements: Mapping[tuple[int, int], float]) -> Completion:
    """The λmax-minimising completion; `judgements[(i, j)]`, i < j, is a_ij, absent pairs blank."""
    answered = _validated(n, judgements)
    components = _components(n, answered)
    if len(components) > 1:
        raise UnconnectedComparisonsError(components)
    matrix = np.ones((n, n))
    for (i, j), value in answered.items():
        matrix[i, j], matrix[j, i] = value, 1.0 / value
    blanks = tuple(pair for pair in itertools.combinations(range(n), 2) if pair not in answered)
    if not blanks:
        return Completion(matrix=matrix, filled=(), method="none")
    rows, cols = (np.array(index) for index in zip(*blanks, strict=True))
    logs = _log_least_squares(n, answered)
    _fill(matrix, rows, cols, _newton(matrix, rows, cols, logs[rows] - logs[cols]))
    return Completion(matrix=matrix, filled=blanks, method="bozoki_2010")


def _validated(n: int, judgements: Mapping[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    if n < 1:
        raise ValueError(f"a node needs at least one child, not n = {n}")
    answered = {}
    for pair, value in judgements.items():
        i, j = (operator.index(k) for k in pair)
        if not 0 <= i < j < n:
            raise ValueError(f"pair {pair} is not (i, j) with 0 ≤ i < j < {n}")
        number = float(value)
        if not math.isfinite(number) or number <= 0:
            raise ValueError(f"judgement {value!r} for pair {pair} is not a positive number")
        answered[(i, j)] = number
    return answered


def _components(n: int, answered: Mapping[tuple[int, int], float]) -> list[list[int]]:
    """Connected components of the comparison graph (union–find), each sorted, by first child."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, j in answered:
        parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(k)
    return sorted(groups.values())


def _log_least_squares(n: int, answered: Mapping[tuple[int, int], float]) -> np.ndarray:
    """log-weights u minimising Σ (ln a_ij − u_i + u_j)² over the answered pairs (a good start)."""
    laplacian, rhs = np.zeros((n, n)), np.zeros(n)
    for (i, j), value in answered.items():
        laplacian[[i, j], [i, j]] += 1.0
        laplacian[i, j] -= 1.0
        laplacian[j, i] -= 1.0
        rhs[i] += math.log(value)
        rhs[j] -= math.log(value)
    return np.linalg.lstsq(laplacian, rhs, rcond=None)[0]


def _fill(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray, logs: np.ndarray) -> None:
    matrix[rows, cols] = np.exp(logs)
    matrix[cols, rows] = np.exp(-logs)


def _newton(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Damped Newton on the convex λmax(y); quadratic convergence, so a handful of steps."""
    _fill(matrix, rows, cols, y)
    value, gradient, hessian = _derivatives(matrix, rows, cols)
    for _ in range(MAX_NEWTON_STEPS):
        try:
            step = -np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            step = -gradient
        if not np.all(np.isfinite(step)) or step @ gradient >= 0:
            step = -gradient
        # Backtrack until λmax does not rise (beyond rounding: near the optimum it is flat).
        for _ in range(60):
            _fill(matrix, rows, cols, y + step)
            trial = _derivatives(matrix, rows, cols)
            if trial[0] <= value + 1e-13 * value:
                break
            step = step / 2
        y = y + step
        value, gradient, hessian = trial
        if np.max(np.abs(step)) < STEP_TOLERANCE:
            break
    return y


def _derivatives(
    matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """λmax with its gradient and Hessian in y, where a_ij = e^y and a_ji = e^-y for each blank.

    For the simple Perron root λ with left v and right w (v·w = 1), ∂λ = v ∂A w and
    ∂²λ = v ∂²A w + 2 sym(v ∂A S ∂A w), S the group inverse of λI − A: (λI − A + wv)⁻¹ − wv.
    """
    n = matrix.shape[0]
    value, right = _perron(matrix)
    _, left = _perron(matrix.T)
    left = left / (left @ right)
    upper, lower = matrix[rows, cols], matrix[cols, rows]
    k = np.arange(len(rows))
    # Column a of `pushed` is ∂A/∂y_a · w; row a of `pulled` is v · ∂A/∂y_a.
    pushed, pulled = np.zeros((n, len(rows))), np.zeros((len(rows), n))
    pushed[rows, k], pushed[cols, k] = upper * right[cols], -lower * right[rows]
    pulled[k, cols], pulled[k, rows] = left[rows] * upper, -left[cols] * lower
    gradient = pulled @ right
    projector = np.outer(right, left)
    group_inverse = np.linalg.inv(value * np.eye(n) - matrix + projector) - projector
    cross = pulled @ group_inverse @ pushed
    curvature = left[rows] * upper * right[cols] + left[cols] * lower * right[rows]
    return value, gradient, cross + cross.T + np.diag(curvature)


def _perron(matrix: np.ndarray) -> tuple[float, np.ndarray]:
    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    principal = int(np.argmax(eigenvalues.real))
    return float(eigenvalues[principal].real), np.abs(eigenvectors[:, principal].real)


def in_node_order(
    children: Sequence[str], row_code: str, column_code: str, value: float | None
) -> tuple[tuple[int, int], float | None]:
    """A sheet row's judgement "row vs column = value" as the pair (i, j), i < j, in the node's
    order of `children`, and a_ij (None for a blank): a row listing the later child first
    wrote 1/a_ij."""
    i, j = children.index(row_code), children.index(column_code)
    return (min(i, j), max(i, j)), (value if value is None or i < j else 1.0 / value)

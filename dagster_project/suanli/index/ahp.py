"""Analytic Hierarchy Process: weights and consistency of one pairwise-comparison matrix.

Pure functions over plain sequences; the random-index (RI) tables come from
`seeds/reference/ahp_random_index.csv`, so the table used for a CR is data, not code.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real
from pathlib import Path

import numpy as np

from suanli.settings import SEEDS_DIR

Judgement = int | float | str

CR_THRESHOLD = 0.10
RECIPROCAL_RTOL = 1e-6
DEFAULT_RANDOM_INDEX_CSV = SEEDS_DIR / "reference" / "ahp_random_index.csv"


class AhpMatrixError(ValueError):
    """A matrix that cannot be weighed: malformed, or too large for the chosen RI table."""


@dataclass(frozen=True)
class AhpResult:
    weights: tuple[float, ...]
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    n: int
    random_index_table: str

    @property
    def is_consistent(self) -> bool:
        return self.consistency_ratio < CR_THRESHOLD


def load_random_index_tables(path: Path | None = None) -> dict[str, dict[int, float]]:
    """RI by table code and matrix size n."""
    tables = _default_tables() if path is None else _read_tables(path)
    # The default is cached, so hand out copies that callers may mutate safely.
    return {code: dict(table) for code, table in tables.items()}


@lru_cache(maxsize=1)
def _default_tables() -> dict[str, dict[int, float]]:
    return _read_tables(DEFAULT_RANDOM_INDEX_CSV)


def _read_tables(path: Path) -> dict[str, dict[int, float]]:
    tables: dict[str, dict[int, float]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table = tables.setdefault(row["table_code"], {})
            n = int(row["n"])
            if n in table:
                raise ValueError(f"{path}: {row['table_code']} lists n = {n} twice")
            table[n] = float(row["random_index"])
    return tables


def parse_judgement(value: Judgement) -> float:
    """A positive judgement as a float; strings may be fractions such as "1/3"."""
    number: float | None = None
    if isinstance(value, str):
        number = _parse_text(value)
    # bool is an int subclass, but True is never a deliberate judgement.
    elif isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
    if number is None or not math.isfinite(number) or number <= 0:
        raise AhpMatrixError(
            f"judgement {value!r} is not a positive number or fraction (such as 3, 0.5 or '1/3')"
        )
    return number


def _parse_text(text: str) -> float | None:
    numerator, slash, denominator = text.strip().partition("/")
    try:
        if not slash:
            return float(numerator)
        bottom = float(denominator)
        return float(numerator) / bottom if bottom else None
    except ValueError:
        return None


def _as_matrix(matrix: Sequence[Sequence[Judgement]]) -> np.ndarray:
    """Parse and validate a positive reciprocal matrix; messages use 1-based row/column."""
    n = len(matrix)
    if n == 0:
        raise AhpMatrixError("matrix is empty")
    for i, row in enumerate(matrix, start=1):
        # A string is a Sequence too, and would otherwise pass as a row of characters.
        if isinstance(row, str) or not isinstance(row, Sequence):
            raise AhpMatrixError(f"row {i} is {row!r}, not a list of judgements")
        if len(row) != n:
            raise AhpMatrixError(
                f"matrix is not square: it has {n} rows but row {i} has {len(row)}"
            )

    values = np.empty((n, n))
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            try:
                values[i, j] = parse_judgement(value)
            except AhpMatrixError as error:
                raise AhpMatrixError(f"row {i + 1}, column {j + 1}: {error}") from None

    for i in range(n):
        if not math.isclose(values[i, i], 1.0, rel_tol=RECIPROCAL_RTOL):
            raise AhpMatrixError(
                f"row {i + 1}, column {i + 1}: diagonal is {values[i, i]:g}, not 1"
            )
        for j in range(i + 1, n):
            a_ij, a_ji = values[i, j], values[j, i]
            if not math.isclose(a_ij * a_ji, 1.0, rel_tol=RECIPROCAL_RTOL):
                raise AhpMatrixError(
                    f"matrix is not reciprocal: row {i + 1}, column {j + 1} is {a_ij:.6g} but "
                    f"row {j + 1}, column {i + 1} is {a_ji:.6g} (their product must be 1)"
                )
    return values


def _random_index(table_code: str, n: int) -> float:
    tables = _default_tables()
    if table_code not in tables:
        raise AhpMatrixError(
            f"unknown random-index table {table_code!r}; known: {', '.join(sorted(tables))}"
        )
    table = tables[table_code]
    if n not in table:
        # Donegan-Dodd skips sizes past 20; interpolating would invent numbers nobody published.
        raise AhpMatrixError(
            f"random-index table {table_code!r} has no RI for n = {n} "
            f"(it covers n = {', '.join(map(str, sorted(table)))})"
        )
    return table[n]


def ahp_weights(
    matrix: Sequence[Sequence[Judgement]], random_index_table: str = "saaty_1980"
) -> AhpResult:
    """Principal-eigenvector weights, λmax, CI and CR of a positive reciprocal matrix."""
    values = _as_matrix(matrix)
    n = values.shape[0]
    random_index = _random_index(random_index_table, n)

    eigenvalues, eigenvectors = np.linalg.eig(values)
    # The Perron root is real and dominant; argmax on the real part skips complex pairs.
    principal = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[principal].real)
    # The Perron vector is one-signed, but eig may return it negated.
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()

    # λmax ≥ n for any positive reciprocal matrix, so a negative CI is rounding noise; every
    # 1×1 and 2×2 reciprocal matrix is consistent by construction.
    consistency_index = max(0.0, (lambda_max - n) / (n - 1)) if n > 2 else 0.0
    consistency_ratio = consistency_index / random_index if n > 2 and random_index > 0 else 0.0
    return AhpResult(
        weights=tuple(float(w) for w in weights),
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        random_index=random_index,
        consistency_ratio=consistency_ratio,
        n=n,
        random_index_table=random_index_table,
    )


def aggregate_judgements(
    matrices: Sequence[Sequence[Sequence[Judgement]]],
    weights: Sequence[float] | None = None,
) -> list[list[float]]:
    """Aggregate experts' matrices by the element-wise geometric mean (AIJ, Aczél–Saaty).

    Unlike the arithmetic mean it keeps the result reciprocal (the mean of log a_ji is minus
    the mean of log a_ij), which is why Aczél and Saaty (1983) single it out. `weights` (one
    positive number per expert, normalised here) give the weighted geometric mean ∏ a_ij^w_k
    of Forman and Peniwati (1998); without them every expert counts the same.
    """
    if not matrices:
        raise AhpMatrixError("no matrices to aggregate")
    arrays = []
    for k, matrix in enumerate(matrices, start=1):
        try:
            arrays.append(_as_matrix(matrix))
        except AhpMatrixError as error:
            raise AhpMatrixError(f"matrix {k}: {error}") from None
    shapes = {array.shape[0] for array in arrays}
    if len(shapes) > 1:
        sizes = ", ".join(str(array.shape[0]) for array in arrays)
        raise AhpMatrixError(
            f"matrices differ in size ({sizes}); all experts must judge the same n"
        )
    shares = expert_shares(weights, len(arrays))
    logs = np.log(np.stack(arrays))
    aggregated: list[list[float]] = np.exp(np.tensordot(shares, logs, axes=1)).tolist()
    return aggregated


def expert_shares(weights: Sequence[float] | None, n_experts: int) -> np.ndarray:
    """Each expert's share of a pooled judgement: `weights` normalised, or equal shares.

    Public so that every pooling of a panel (judgements, priorities, dispersion) weighs the
    experts by one rule and refuses the same bad weights.
    """
    if weights is None:
        return np.full(n_experts, 1.0 / n_experts)
    if len(weights) != n_experts:
        raise AhpMatrixError(f"{len(weights)} expert weights for {n_experts} experts")
    valid = all(
        isinstance(weight, Real) and not isinstance(weight, bool) and weight > 0
        for weight in weights
    )
    values = np.array(weights, dtype=float) if valid else np.array([])
    if not valid or not np.isfinite(values).all():
        raise AhpMatrixError(f"expert weights must be positive numbers, found {list(weights)}")
    return values / values.sum()

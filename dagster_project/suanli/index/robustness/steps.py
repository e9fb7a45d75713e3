"""The method's steps as array functions, one verb each (COINr's impute, normalise, weight,
aggregate), vectorised over Monte Carlo replicates: a replicate is a row of weights, never a
Python loop over units.

The nominal choices reproduce the warehouse's own rules (METHODOLOGY.md §2): the system's
outlier treatment of delivered values, its imputation of gaps from delivered values, min–max
on 0–100 in the indicator's direction (per year, or on the base year's range), a constant
column scored `constant_column_score`, and a node's score the weighted mean of its children
that have one (renormalised among siblings, level by level).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from suanli.index.ahp import CR_THRESHOLD
from suanli.index.robustness.coin import Coin, Hierarchy, Panel
from suanli.index.treat import fails_rule, skew_kurtosis, treat_columns

NORMALISATIONS = ("minmax", "zscore", "rank")
IMPUTATIONS = ("none", "year_median", "previous_year", "regional_mean")
# Saaty's 1–9 scale and its reciprocals, in order: a judgement moves along it one step at a time.
SAATY_SCALE = np.array([1 / v for v in range(9, 1, -1)] + list(range(1, 10)), dtype=float)
# Redraws of a replicate matrix whose CR is not acceptable before the nominal one is used.
MAX_REDRAWS = 100
# Power-iteration steps for the principal eigenvector of a replicate matrix.
POWER_STEPS = 100
POWER_TOLERANCE = 1e-14
# Ranks compare scores rounded as the published ranks do (fct_index_scores).
RANK_DECIMALS = 6


# ------------------------------------------------------------------------------------- impute
def impute(coin: Coin, rule: str) -> np.ndarray:
    """The coin's values with missing ones filled by `rule`: the year's median over the units
    that have one, the unit's latest earlier value, or the mean of the unit's region."""
    values = coin.values
    if rule == "none" or not np.isnan(values).any():
        return values
    if rule == "year_median":
        with np.errstate(all="ignore"):
            fill = np.broadcast_to(np.nanmedian(values, axis=0), values.shape)
    elif rule == "previous_year":
        fill = coin.previous
    elif rule == "regional_mean":
        fill = np.full(values.shape, np.nan)
        regions = np.array(coin.regions)
        for region in np.unique(regions):
            members = regions == region
            with np.errstate(all="ignore"):
                fill[members] = np.nanmean(values[members], axis=0)
    else:
        raise ValueError(f"unknown imputation {rule!r}; known: {', '.join(IMPUTATIONS)}")
    return np.where(np.isnan(values), fill, values)


# ------------------------------------------------------------------------------------- treat
def treat(coin: Coin, values: np.ndarray) -> np.ndarray:
    """The delivered values of every indicator column treated for outliers by COINr's rule
    (suanli.index.treat) with the system's limits, as int_indicator_treatments treats them;
    a gap stays a gap (imputation fills it from the delivered values)."""
    max_winsorised, max_skew, max_kurtosis = coin.treatment_limits
    treated, _ = treat_columns(
        values.T, max_winsorised=max_winsorised, max_skew=max_skew, max_kurtosis=max_kurtosis
    )
    return treated.T


def columns_failing_the_rule(coin: Coin) -> np.ndarray:
    skew, kurtosis = skew_kurtosis(coin.values.T)
    _, max_skew, max_kurtosis = coin.treatment_limits
    return fails_rule(skew, kurtosis, max_skew, max_kurtosis)


# ---------------------------------------------------------------------------------- normalise
def normalise(coin: Coin, values: np.ndarray, method: str) -> np.ndarray:
    """Indicator scores, higher = better: `minmax` on 0–100 as the system standardises (the
    year's range, or the base year's), `zscore` (mean 0, standard deviation 1 over the units)
    or `rank` (the percentile of the unit among those with a value, 0–100)."""
    signed = np.where(coin.negative, -values, values)
    with np.errstate(all="ignore"):
        if method == "minmax":
            if coin.base_ranges is None:
                low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
            else:
                low, high = coin.base_ranges
            span = high - low
            scores = np.where(coin.negative, (high - values) / span, (values - low) / span) * 100.0
            return np.where(span == 0, coin.constant_column_score, scores) * _present(values)
        if method == "zscore":
            spread = np.nanstd(signed, axis=0)
            scores = (signed - np.nanmean(signed, axis=0)) / spread
            return np.where(spread == 0, 0.0, scores) * _present(values)
        if method == "rank":
            return _percentile_ranks(signed)
    raise ValueError(f"unknown normalisation {method!r}; known: {', '.join(NORMALISATIONS)}")


def _present(values: np.ndarray) -> np.ndarray:
    """1 where a value is present, NaN where it is missing (so a score stays missing)."""
    return np.where(np.isnan(values), np.nan, 1.0)


def _percentile_ranks(signed: np.ndarray) -> np.ndarray:
    """0–100 by average rank among the units with a value (ties share their mean rank)."""
    scores = np.full(signed.shape, np.nan)
    for column in range(signed.shape[1]):
        present = ~np.isnan(signed[:, column])
        count = int(present.sum())
        if count == 0:
            continue
        if count == 1:
            scores[present, column] = 100.0
            continue
        column_values = signed[present, column]
        order = np.argsort(column_values, kind="stable")
        ordinal = np.empty(count)
        ordinal[order] = np.arange(count)
        # Ties: the mean of their ordinal positions.
        _, inverse, counts = np.unique(column_values, return_inverse=True, return_counts=True)
        sums = np.bincount(inverse, weights=ordinal)
        scores[present, column] = 100.0 * (sums / counts)[inverse] / (count - 1)
    return scores


# ------------------------------------------------------------------------------------- weight
def principal_weights(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal-eigenvector weights and λmax of a stack of positive reciprocal matrices
    (…, n, n), by power iteration from the rows' geometric means (the eigenvector itself for
    a consistent matrix, close to it for an acceptable one): it converges to the Perron vector
    `suanli.index.ahp.ahp_weights` takes (to 1e-14 for an acceptable matrix, CR < 0.10), at a
    fraction of the cost of one LAPACK call per replicate."""
    # Row sums as a product with ones: numpy reduces a short last axis slowly.
    ones = np.ones(matrices.shape[-1])
    vectors = np.exp(np.log(matrices) @ ones / ones.size)
    vectors /= (vectors @ ones)[..., None]
    for _ in range(POWER_STEPS):
        image = np.einsum("...ij,...j->...i", matrices, vectors)
        updated = image / (image @ ones)[..., None]
        converged = np.abs(updated - vectors).max(initial=0.0) < POWER_TOLERANCE
        vectors = updated
        if converged:
            break
    image = np.einsum("...ij,...j->...i", matrices, vectors)
    return vectors, (image / vectors) @ ones / ones.size


def consistency_ratios(lambda_max: np.ndarray, n: int, random_index: float) -> np.ndarray:
    if n <= 2 or random_index <= 0:
        return np.zeros_like(lambda_max)
    return np.maximum(0.0, (lambda_max - n) / (n - 1)) / random_index


def perturbed_judgements(
    panel: Panel,
    replicates: int,
    step_probability: float,
    rng: np.random.Generator,
    random_index: float,
) -> np.ndarray:
    """`replicates` local-weight vectors of one node: each upper-triangle judgement of its
    matrix moves one step along Saaty's scale with `step_probability` (up or down alike); a
    replicate whose CR is not below 0.10 is redrawn (after MAX_REDRAWS, the nominal one)."""
    (matrix,) = panel.matrices
    n = matrix.shape[0]
    upper = np.triu_indices(n, k=1)
    nominal = np.log(matrix[upper])
    positions = np.abs(np.log(SAATY_SCALE)[None, :] - nominal[:, None]).argmin(axis=1)
    weights = np.empty((replicates, n))
    pending = np.arange(replicates)
    for _ in range(MAX_REDRAWS):
        steps = rng.choice(
            np.array([-1, 0, 1]), size=(pending.size, nominal.size),
            p=[step_probability / 2, 1 - step_probability, step_probability / 2],
        )  # fmt: skip
        moved = np.log(SAATY_SCALE[np.clip(positions + steps, 0, SAATY_SCALE.size - 1)])
        logs = np.where(steps == 0, nominal, moved)
        stack = np.zeros((pending.size, n, n))
        stack[:, upper[0], upper[1]] = logs
        stack[:, upper[1], upper[0]] = -logs
        replicate_weights, lambda_max = principal_weights(np.exp(stack))
        accepted = consistency_ratios(lambda_max, n, random_index) < CR_THRESHOLD
        weights[pending[accepted]] = replicate_weights[accepted]
        pending = pending[~accepted]
        if pending.size == 0:
            return weights
    weights[pending] = principal_weights(matrix)[0]
    return weights


def bootstrapped_panel(panel: Panel, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """`replicates` local-weight vectors of one node judged by a panel: the experts drawn with
    replacement, aggregated as the system aggregates them: their matrices by the weighted
    geometric mean (AIJ), or their priority vectors (AIP)."""
    experts = panel.matrices.shape[0]
    drawn = rng.integers(0, experts, size=(replicates, experts))
    say = panel.expert_weights[drawn]
    say = say / say.sum(axis=1, keepdims=True)
    if panel.aggregation == "aip":
        vectors = principal_weights(panel.matrices)[0]  # (K, n): each expert's own weights
        logs = np.einsum("rk,rki->ri", say, np.log(vectors)[drawn])
        weights = np.exp(logs)
        return weights / weights.sum(axis=1, keepdims=True)
    logs = np.einsum("rk,rkij->rij", say, np.log(panel.matrices)[drawn])
    return principal_weights(np.exp(logs))[0]


def judgement_replicates(
    hierarchy: Hierarchy, replicates: int, step_probability: float, rng: np.random.Generator
) -> np.ndarray:
    """(replicates, nodes) local weights: each inner node's children reweighed from perturbed
    judgements, or from its bootstrapped panel of experts; the composite keeps weight 1."""
    weights = np.broadcast_to(hierarchy.local_weights, (replicates, len(hierarchy.codes))).copy()
    for node in hierarchy.inner:
        panel = hierarchy.panels.get(int(node))
        children = hierarchy.children[int(node)]
        if panel is None or children.size < 2:
            continue
        if panel.named and panel.matrices.shape[0] > 1:
            weights[:, children] = bootstrapped_panel(panel, replicates, rng)
        elif step_probability > 0:
            ri = hierarchy.random_index.get(children.size, 0.0)
            weights[:, children] = perturbed_judgements(
                panel, replicates, step_probability, rng, ri
            )
    return weights


def noisy_weights(
    hierarchy: Hierarchy, replicates: int, noise: float, rng: np.random.Generator
) -> np.ndarray:
    """(replicates, nodes) multipliers 1 + U(−noise, noise) of every local weight, as COINr's
    `get_noisy_weights` perturbs each weight by a uniform share of itself."""
    return 1.0 + rng.uniform(-noise, noise, size=(replicates, len(hierarchy.codes)))


# ---------------------------------------------------------------------------------- aggregate
def aggregate(
    hierarchy: Hierarchy, indicator_scores: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """(replicates, units, inner nodes) scores: every inner node the weighted mean of those of
    its children that have a score, bottom-up, for each replicate's (row of) local weights.

    `indicator_scores` is (units, indicators), shared by the replicates; `weights` is
    (replicates, nodes). A child with weight 0 is left out as a missing one is."""
    replicates, units = weights.shape[0], indicator_scores.shape[0]
    inner = hierarchy.inner
    slot = {int(node): i for i, node in enumerate(inner)}
    scores = np.full((replicates, units, inner.size), np.nan)
    for node in inner[::-1]:
        children = hierarchy.children[int(node)]
        numerator = np.zeros((replicates, units))
        denominator = np.zeros((replicates, units))
        for child in children:
            column = hierarchy.columns[child]
            child_scores = (
                indicator_scores[None, :, column] if column >= 0 else scores[:, :, slot[child]]
            )
            present = ~np.isnan(child_scores)
            weight = weights[:, child, None]
            numerator += np.where(present, weight * np.nan_to_num(child_scores), 0.0)
            denominator += np.where(present, weight, 0.0)
        with np.errstate(all="ignore"):
            scores[:, :, slot[int(node)]] = np.where(
                denominator > 0, numerator / denominator, np.nan
            )
    return scores


# --------------------------------------------------------------------------------------- rank
def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest; ties share the better rank (1, 2, 2, 4) on
    scores rounded to RANK_DECIMALS; 0 for a missing score."""
    keys = -np.round(scores, RANK_DECIMALS)
    # Any sort will do: tied units take their group's first position whatever their order.
    # numpy's default (vectorised) one takes half the time of a stable sort.
    order = np.argsort(keys, axis=-1)
    ordered = np.take_along_axis(keys, order, axis=-1)
    positions = np.broadcast_to(np.arange(keys.shape[-1]), keys.shape)
    starts = np.ones(keys.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
    ranks = np.empty(keys.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, first + 1, axis=-1)
    return np.where(np.isnan(scores), 0, ranks)


def data_shares(values: np.ndarray) -> np.ndarray:
    """Each unit's share of the indicators with a (delivered, not imputed) value."""
    return (~np.isnan(values)).mean(axis=1)


def rank_quantiles(
    ranks: np.ndarray, quantiles: Sequence[float], top: int
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of integer ranks over the first axis of (runs, …) ranks (0 = unranked, left
    out), by counting: the smallest rank whose share of runs at or above it reaches q (numpy's
    `inverted_cdf`), so a quantile is a rank some run took. Also each cell's share of its
    ranked runs within the Top `top`. NaN where a cell was never ranked."""
    runs, cells = ranks.shape[0], int(np.prod(ranks.shape[1:]))
    highest = int(ranks.max(initial=0))
    flat = ranks.reshape(runs, cells).astype(np.int64) + np.arange(cells) * (highest + 1)
    counts = np.bincount(flat.ravel(), minlength=cells * (highest + 1)).reshape(cells, -1)
    counts[:, 0] = 0
    cumulative = np.cumsum(counts, axis=1)
    total = cumulative[:, -1]
    with np.errstate(all="ignore"):
        found = np.stack(
            [np.argmax(cumulative >= q * total[:, None], axis=1) for q in quantiles]
        ).astype(float)
        found[:, total == 0] = np.nan
        share = cumulative[:, min(top, highest)] / total
    shape = ranks.shape[1:]
    return found.reshape(len(quantiles), *shape), share.reshape(shape)


def score_quantiles(scores: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Quantiles over the first axis (inverted_cdf), leaving NaN out; NaN where all are."""
    ordered = np.sort(scores, axis=0)  # NaN last
    present = (~np.isnan(scores)).sum(axis=0)
    out = []
    for q in quantiles:
        position = np.clip(np.ceil(q * present).astype(int) - 1, 0, max(scores.shape[0] - 1, 0))
        picked = np.take_along_axis(ordered, position[None], axis=0)[0]
        out.append(np.where(present > 0, picked, np.nan))
    return np.stack(out)

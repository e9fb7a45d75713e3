"""Uncertainty and sensitivity of the ranks to the modeller's choices, as the JRC audits a
composite index: Monte Carlo over the choices (nominal, median and P5–P95 rank per unit and
node), Sobol indices of each choice (SALib), and leave-one-indicator-out rank shifts.

Each uncertain choice is a *factor* with a list of alternatives, the nominal one first:
- `judgements`: the AHP judgements, each moved one step along Saaty's scale with a set
  probability (a replicate matrix must keep CR < 0.10), or a node's expert panel bootstrapped;
- `weight_noise`: every local weight times 1 + U(−noise, noise) (COINr's get_noisy_weights);
- `normalisation`: min–max as the system standardises, z-score, or percentile rank;
- `imputation`: the system's missing-value rule, or an imputation (year median, …);
- `winsorisation`: COINr's outlier treatment on or off (the system's setting first; never for
  a base-year system, whose definition refuses it).
A run picks one alternative per factor; Monte Carlo picks at random (a fresh weight replicate
per run), Sobol through SALib's Saltelli design (a pool of weight replicates indexed by the
sample). Runs sharing a normalisation and imputation are aggregated in one array operation.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from suanli.index.robustness import steps
from suanli.index.robustness.coin import Coin

FACTORS = ("judgements", "weight_noise", "normalisation", "imputation", "winsorisation")
# Runs aggregated at once: bounds memory at 10,000 runs of 302 cities.
CHUNK_RUNS = 1000
TOP = 10
SOBOL_COLUMNS = [
    "factor", "first_order", "first_order_conf", "total_order", "total_order_conf",
    "mean_rank_shift",
]  # fmt: skip


@dataclass(frozen=True)
class Choices:
    """What varies and how much (seeds/reference/uncertainty.yml)."""

    runs: int = 2000
    seed: int = 2025
    step_probability: float = 0.2
    weight_noise: float = 0.25
    normalisations: tuple[str, ...] = ("minmax", "zscore", "rank")
    imputations: tuple[str, ...] = ("none", "year_median")
    winsorise: tuple[bool, ...] = (False, True)
    # Saltelli base sample N (a power of 2): N × (factors + 2) runs; the weight pool's size.
    sobol_samples: int = 256


def _nominal_first(nominal: str, options: Sequence[str]) -> tuple[str, ...]:
    return (nominal, *[option for option in options if option != nominal])


@dataclass(frozen=True)
class Design:
    """One row per run: which alternative of each factor it takes."""

    judgements: np.ndarray  # row of the judgement pool, -1 = nominal weights
    noise: np.ndarray  # row of the noise pool, -1 = no noise
    normalisation: np.ndarray  # index into Audit.alternatives("normalisation")
    imputation: np.ndarray
    winsorisation: np.ndarray

    @property
    def runs(self) -> int:
        return self.judgements.size

    def chunk(self, rows: slice) -> Design:
        return Design(*(getattr(self, name)[rows] for name in self.__dataclass_fields__))


@dataclass(frozen=True, eq=False)
class Audit:
    """A coin with the replicate pools and cached indicator scores its runs draw on."""

    coin: Coin
    choices: Choices
    judgement_pool: np.ndarray
    noise_pool: np.ndarray
    _scores: dict[tuple[int, int, int], np.ndarray] = field(default_factory=dict)

    def alternatives(self, factor: str) -> tuple:
        """A factor's alternatives, the nominal one (the system's own) first."""
        if factor == "normalisation":
            return _nominal_first("minmax", self.choices.normalisations)
        if factor == "imputation":
            return _nominal_first(self.coin.imputation, self.choices.imputations)
        if factor == "winsorisation":
            if self.coin.base_ranges is not None:
                return (False,)
            return _nominal_first(self.coin.winsorise, self.choices.winsorise)
        raise KeyError(factor)

    def indicator_scores(
        self, normalisation: int, imputation: int, winsorisation: int
    ) -> np.ndarray:
        """Scores as the warehouse makes them: delivered values treated (or not), gaps filled
        from the delivered values (or not), then normalised."""
        key = (normalisation, imputation, winsorisation)
        if key not in self._scores:
            coin = self.coin
            delivered = coin.values
            if self.alternatives("winsorisation")[winsorisation]:
                delivered = steps.treat(coin, delivered)
            filled = steps.impute(coin, self.alternatives("imputation")[imputation])
            values = np.where(np.isnan(coin.values), filled, delivered)
            method = self.alternatives("normalisation")[normalisation]
            self._scores[key] = steps.normalise(coin, values, method)
        return self._scores[key]

    def weights(self, design: Design) -> np.ndarray:
        nominal = self.coin.hierarchy.local_weights
        judged = np.where(
            design.judgements[:, None] >= 0, self.judgement_pool[design.judgements], nominal
        )
        noise = np.where(design.noise[:, None] >= 0, self.noise_pool[design.noise], 1.0)
        return judged * noise

    def scores(self, design: Design) -> Iterator[np.ndarray]:
        """(runs, units, inner nodes) scores of the design's runs, a chunk at a time; none for
        a unit below the system's data-availability threshold."""
        excluded = excluded_units(self.coin)
        for start in range(0, design.runs, CHUNK_RUNS):
            part = design.chunk(slice(start, start + CHUNK_RUNS))
            weights = self.weights(part)
            out = np.empty((part.runs, len(self.coin.units), self.coin.hierarchy.inner.size))
            combos = np.stack([part.normalisation, part.imputation, part.winsorisation], axis=1)
            for normalisation, imputation, winsorisation in np.unique(combos, axis=0):
                rows = (
                    (part.normalisation == normalisation)
                    & (part.imputation == imputation)
                    & (part.winsorisation == winsorisation)
                )
                scores = self.indicator_scores(
                    int(normalisation), int(imputation), int(winsorisation)
                )
                out[rows] = steps.aggregate(self.coin.hierarchy, scores, weights[rows])
            out[:, excluded, :] = np.nan
            yield out


def _generators(coin: Coin, choices: Choices, count: int) -> list[np.random.Generator]:
    """Independent streams of the choices' seed and the coin's system, year and unit level."""
    entropy = zlib.crc32(f"{coin.system_code}|{coin.year}|{coin.unit_level}".encode())
    streams = np.random.SeedSequence([choices.seed, entropy]).spawn(count)
    return [np.random.default_rng(stream) for stream in streams]


def audit_for(coin: Coin, choices: Choices, pool: int) -> Audit:
    """Pools of `pool` judgement and noise replicates, from a seed of the choices' seed and
    the coin's system, year and unit level (so one system's draws do not hang on another's)."""
    judgement_rng, noise_rng = _generators(coin, choices, 2)
    hierarchy = coin.hierarchy
    return Audit(
        coin=coin,
        choices=choices,
        judgement_pool=steps.judgement_replicates(
            hierarchy, pool, choices.step_probability, judgement_rng
        ),
        noise_pool=steps.noisy_weights(hierarchy, pool, choices.weight_noise, noise_rng),
    )


def nominal_design(runs: int = 1) -> Design:
    none = np.full(runs, -1)
    zero = np.zeros(runs, dtype=int)
    return Design(none, none, zero, zero, zero)


def active_factors(audit: Audit) -> list[str]:
    """The factors that vary: a constant one has no sensitivity to measure."""
    choices, hierarchy = audit.choices, audit.coin.hierarchy
    varies = {
        "judgements": not np.allclose(audit.judgement_pool, hierarchy.local_weights),
        "weight_noise": choices.weight_noise > 0,
        "normalisation": len(audit.alternatives("normalisation")) > 1,
        "imputation": len(audit.alternatives("imputation")) > 1
        and bool(np.isnan(audit.coin.values).any()),
        "winsorisation": len(audit.alternatives("winsorisation")) > 1
        and bool(steps.columns_failing_the_rule(audit.coin).any()),
    }
    return [factor for factor in FACTORS if varies[factor]]


def design_from_unit_sample(audit: Audit, sample: np.ndarray, factors: Sequence[str]) -> Design:
    """Runs from points of [0, 1)^factors: each coordinate picks one alternative."""
    runs = sample.shape[0]
    design = nominal_design(runs)
    picks = {}
    sizes = {
        "judgements": audit.judgement_pool.shape[0],
        "weight_noise": audit.noise_pool.shape[0],
        "normalisation": len(audit.alternatives("normalisation")),
        "imputation": len(audit.alternatives("imputation")),
        "winsorisation": len(audit.alternatives("winsorisation")),
    }
    for column, factor in enumerate(factors):
        picks[factor] = np.minimum(
            (sample[:, column] * sizes[factor]).astype(int), sizes[factor] - 1
        )
    return Design(
        judgements=picks.get("judgements", design.judgements),
        noise=picks.get("weight_noise", design.noise),
        normalisation=picks.get("normalisation", design.normalisation),
        imputation=picks.get("imputation", design.imputation),
        winsorisation=picks.get("winsorisation", design.winsorisation),
    )


def excluded_units(coin: Coin) -> np.ndarray:
    """Units below the system's data-availability threshold: no score, no rank."""
    return steps.data_shares(coin.values) < coin.min_data_share


# ------------------------------------------------------------------------------ Monte Carlo
def rank_uncertainty(coin: Coin, choices: Choices) -> pd.DataFrame:
    """Per unit and inner node: nominal score and rank, and over `choices.runs` Monte Carlo
    runs the median, P5 and P95 rank, the share of runs in the Top 10, and the mean, P5 and
    P95 score over the runs that kept the nominal normalisation (the others score on another
    scale)."""
    audit = audit_for(coin, choices, choices.runs)
    rng = _generators(coin, choices, 3)[2]  # after the judgement and noise streams
    runs = choices.runs
    active = active_factors(audit)
    design = design_from_unit_sample(audit, rng.random((runs, len(active))), active)
    if "judgements" in active:
        design = replace(design, judgements=np.arange(runs))
    if "weight_noise" in active:
        design = replace(design, noise=np.arange(runs))

    (nominal,) = audit.scores(nominal_design())
    nominal_ranks = steps.competition_ranks(np.moveaxis(nominal[0], 0, -1))  # (nodes, units)

    ranks = np.empty((runs, coin.hierarchy.inner.size, len(coin.units)), dtype=np.int16)
    kept = []  # scores of runs with the nominal normalisation
    start = 0
    for chunk in audit.scores(design):
        count = chunk.shape[0]
        ranks[start : start + count] = steps.competition_ranks(np.moveaxis(chunk, 1, -1))
        same_scale = design.normalisation[start : start + count] == 0
        kept.append(np.moveaxis(chunk[same_scale], 1, -1))
        start += count
    kept_scores = np.concatenate(kept) if kept else np.empty((0, *ranks.shape[1:]))
    return _rank_summary(coin, nominal[0].T, nominal_ranks, ranks, kept_scores)


def _rank_summary(
    coin: Coin, nominal: np.ndarray, nominal_ranks: np.ndarray, ranks: np.ndarray,
    kept_scores: np.ndarray,
) -> pd.DataFrame:  # fmt: skip
    quantiles, top = steps.rank_quantiles(ranks, (0.05, 0.5, 0.95), TOP)
    if kept_scores.shape[0]:
        score_q = steps.score_quantiles(kept_scores, (0.05, 0.95))
        with np.errstate(all="ignore"):
            score_mean = np.nanmean(kept_scores, axis=0)
    else:
        score_q = np.full((2, *nominal.shape), np.nan)
        score_mean = np.full(nominal.shape, np.nan)
    hierarchy = coin.hierarchy
    nodes = [hierarchy.codes[node] for node in hierarchy.inner]
    node_grid, unit_grid = np.meshgrid(
        np.arange(len(nodes)), np.arange(len(coin.units)), indexing="ij"
    )
    frame = pd.DataFrame(
        {
            "system_code": coin.system_code,
            "year": coin.year,
            "unit_level": coin.unit_level,
            "unit_code": np.array(coin.units)[unit_grid.ravel()],
            "node_code": np.array(nodes)[node_grid.ravel()],
            "nominal_score": nominal.ravel(),
            "nominal_rank": np.where(nominal_ranks > 0, nominal_ranks, np.nan).ravel(),
            "median_rank": quantiles[1].ravel(),
            "rank_p5": quantiles[0].ravel(),
            "rank_p95": quantiles[2].ravel(),
            "top10_share": top.ravel(),
            "score_mean": score_mean.ravel(),
            "score_p5": score_q[0].ravel(),
            "score_p95": score_q[1].ravel(),
            "runs": ranks.shape[0],
            "score_runs": kept_scores.shape[0],
        }
    )
    return frame


# ------------------------------------------------------------------------------------ Sobol
def composite_rank_shift(audit: Audit, design: Design) -> np.ndarray:
    """Each run's mean absolute shift of the composite rank from the nominal one, over the
    units ranked in both."""
    root = 0  # the composite is the first inner node
    (nominal,) = audit.scores(nominal_design())
    nominal_ranks = steps.competition_ranks(nominal[:, :, root])[0]
    shifts = []
    for chunk in audit.scores(design):
        ranks = steps.competition_ranks(chunk[:, :, root])
        both = (ranks > 0) & (nominal_ranks > 0)
        moved = np.where(both, np.abs(ranks - nominal_ranks), 0).sum(axis=1)
        shifts.append(moved / np.maximum(both.sum(axis=1), 1))
    return np.concatenate(shifts)


def sobol(
    evaluate: Callable[[np.ndarray], np.ndarray], names: Sequence[str], samples: int, seed: int
) -> pd.DataFrame:
    """First- and total-order Sobol indices (95 % bootstrap half-widths) of a function of
    independent U(0, 1) factors, from SALib's Saltelli design of `samples` × (factors + 2)
    points; `evaluate` maps the (points, factors) sample to one output per point."""
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    sample = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    outputs = evaluate(np.clip(sample, 0.0, np.nextafter(1.0, 0.0)))
    indices = sobol_analyze.analyze(
        problem, outputs, calc_second_order=False, seed=seed, print_to_console=False
    )
    return pd.DataFrame(
        {
            "factor": list(names),
            "first_order": indices["S1"],
            "first_order_conf": indices["S1_conf"],
            "total_order": indices["ST"],
            "total_order_conf": indices["ST_conf"],
            "mean_output": float(np.mean(outputs)),
            "runs": sample.shape[0],
        }
    )


def sobol_indices(coin: Coin, choices: Choices) -> pd.DataFrame:
    """Sobol indices of each factor that varies on the mean absolute composite rank shift."""
    audit = audit_for(coin, choices, choices.sobol_samples)
    factors = active_factors(audit)
    if len(factors) < 2:  # SALib needs two factors; one alone explains everything
        frame = pd.DataFrame(columns=[*SOBOL_COLUMNS, "runs"])
    else:
        frame = sobol(
            lambda sample: composite_rank_shift(
                audit, design_from_unit_sample(audit, sample, factors)
            ),
            factors,
            choices.sobol_samples,
            choices.seed,
        ).rename(columns={"mean_output": "mean_rank_shift"})
    frame.insert(0, "system_code", coin.system_code)
    frame.insert(1, "year", coin.year)
    frame.insert(2, "unit_level", coin.unit_level)
    return frame


# ----------------------------------------------------------------------- leave one out
def leave_one_out(coin: Coin) -> pd.DataFrame:
    """Per indicator and unit: the composite rank without that indicator (its siblings
    renormalised) and the shift from the nominal rank (positive = moved up without it)."""
    audit = audit_for(coin, Choices(step_probability=0.0, weight_noise=0.0), 1)
    hierarchy = coin.hierarchy
    excluded = excluded_units(coin)
    leaves = np.flatnonzero(hierarchy.columns >= 0)
    weights = np.vstack([hierarchy.local_weights] * (leaves.size + 1))
    weights[np.arange(1, leaves.size + 1), leaves] = 0.0
    scores = steps.aggregate(hierarchy, audit.indicator_scores(0, 0, 0), weights)[:, :, 0]
    scores[:, excluded] = np.nan
    ranks = steps.competition_ranks(scores)
    nominal, without = ranks[0], ranks[1:]
    units = len(coin.units)
    frame = pd.DataFrame(
        {
            "system_code": coin.system_code,
            "year": coin.year,
            "unit_level": coin.unit_level,
            "indicator_code": np.repeat([hierarchy.codes[leaf] for leaf in leaves], units),
            "unit_code": np.tile(coin.units, leaves.size),
            "nominal_rank": np.tile(nominal, leaves.size),
            "rank_without": without.ravel(),
        }
    )
    frame = frame[(frame["nominal_rank"] > 0) & (frame["rank_without"] > 0)]
    frame["rank_shift"] = frame["nominal_rank"] - frame["rank_without"]
    return frame.reset_index(drop=True)

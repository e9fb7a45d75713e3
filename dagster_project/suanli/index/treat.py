"""Outlier treatment of an indicator column before it is standardised: COINr's rule.

Min–max standardisation (METHODOLOGY.md §2.1) lets one extreme unit squash every other unit
near 0. The JRC/COINr practice treats such columns first; this module reproduces the R package
COINr (Becker et al., bluefoxr/COINr v1.1.14), read in its source:

- `R/treat.R` `skew()` / `kurt()`: sample skewness and *excess* kurtosis as e1071's type 2
  (SAS/SPSS G1 and G2, what pandas' `skew()`/`kurt()` and scipy's `bias=False` give):
  with d = x − mean(x), m_k = Σ d^k,
  skew = √n · m3 / m2^1.5 · √(n(n−1)) / (n−2)            (needs n ≥ 3)
  kurt = ((n+1)(n·m4/m2² − 3) + 6) · (n−1) / ((n−2)(n−3))  (needs n ≥ 4)
  missing values removed (`na.rm = TRUE`).
- `R/treat.R` `check_SkewKurt()`: a column *passes* when |skew| < skew_thresh OR
  kurt < kurt_thresh, so it fails (has outliers) when |skew| ≥ 2 AND kurtosis ≥ 3.5 (the
  defaults). An undefined skew or kurtosis (too few units, a constant column) is `NA` there,
  and COINr leaves such a column untreated: here it does not fail. Likewise a column that
  winsorising leaves without spread (COINr's loop stops on the NA skew and `Treat()` returns
  the column untreated): method `none`, still flagged.
- `R/treat.R` `winsorise()` (defaults `winmax = 5, skew_thresh = 2, kurt_thresh = 3.5`): while
  the column fails and fewer than `winmax` points are winsorised, take the side of the skew
  (skew ≥ 0: the highest value, else the lowest), set every unit holding that value to the
  next value inwards, re-check. Ties move together, so one step may winsorise several points
  and the count may pass winmax; points winsorised earlier are again at the extreme and move
  with it, so the count is cumulative (COINr's `nwin = length(imax) + length(imin)`).
- `R/treat.R` `Treat.numeric()` with `combine_treat = FALSE` (the default of `Treat()` and
  `qTreat()`, `R/qfuncs.R`): when winsorisation up to winmax still fails, the second function,
  `log_CT()`, is applied to the *original* column:
  log(x − min(x) + 0.01 · (max(x) − min(x))). It is increasing, so an indicator's direction
  still holds; whether the logged column passes is recorded, not enforced.

Constant and near-constant columns are flagged (they are never treated: their skew is
undefined or they pass): `constant` when every unit with a value has the same one (min–max
then gives every unit the system's `constant_column_score`); `near_constant` when not constant
but at least 90 % of the units share one value (NEAR_CONSTANT_SHARE) or the coefficient of
variation sd/|mean| is below 1e-6 (NEAR_CONSTANT_CV: differences that are rounding noise,
which min–max would stretch to 0–100).

NaN is a missing value: left in place, not counted, never treated. The functions are
array-in, array-out; `skew_kurtosis`, `fails_rule` and `constancy` take any number of columns
at once (the last axis is the units), and `treat_columns` treats a matrix row by row, running
the iteration only on the rows that fail the rule (what a Monte Carlo engine needs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# COINr's defaults (`Treat.data.frame`, `qTreat`): winmax, skew_thresh, kurt_thresh.
MAX_WINSORISED = 5
MAX_SKEW = 2.0
MAX_KURTOSIS = 3.5
# Near-constant: this share of the units hold one value, or sd/|mean| below this.
NEAR_CONSTANT_SHARE = 0.9
NEAR_CONSTANT_CV = 1e-6
# log_CT's offset, a share of the range: log(x − min + 0.01·(max − min)).
LOG_OFFSET_SHARE = 0.01

METHODS = ("none", "winsorised", "log")


@dataclass(frozen=True)
class Treatment:
    """One column's treatment: the treated values and what was done to get them.

    `winsorised` marks the positions whose value winsorisation replaced (all False unless
    `method == 'winsorised'`); with `method == 'log'` every unit with a value is transformed.
    Skew and kurtosis are NaN where undefined (fewer than 3 or 4 units, or no spread)."""

    values: np.ndarray
    method: str
    flagged: bool  # the raw column fails the rule
    flagged_after: bool  # the treated column still fails it (a log that was not enough)
    n_units: int
    skew_before: float
    kurtosis_before: float
    skew_after: float
    kurtosis_after: float
    winsorised: np.ndarray
    constant: bool
    near_constant: bool
    mode_share: float  # share of the units holding the most common value

    @property
    def n_winsorised(self) -> int:
        return int(self.winsorised.sum())

    @property
    def treated(self) -> np.ndarray:
        """Positions whose value the treatment changed (every unit with a value for a log)."""
        if self.method == "log":
            return ~np.isnan(self.values)
        return self.winsorised.copy()


def skew_kurtosis(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample skewness and excess kurtosis (e1071 type 2, as COINr) along the last axis,
    ignoring NaN: NaN where fewer than 3 (skew) or 4 (kurtosis) values, or no spread."""
    x = np.asarray(values, dtype=float)
    present = ~np.isnan(x)
    n = present.sum(axis=-1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, x, 0.0).sum(axis=-1) / n
        d = np.where(present, x - np.expand_dims(mean, -1), 0.0)
        d2 = d * d
        m2 = d2.sum(axis=-1)
        m3 = (d2 * d).sum(axis=-1)
        m4 = (d2 * d2).sum(axis=-1)
        skew = np.sqrt(n) * m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * m4 / (m2 * m2)
        kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
        skew = np.where((n >= 3) & (m2 > 0), skew, np.nan)
        kurt = np.where((n >= 4) & (m2 > 0), kurt, np.nan)
    return skew, kurt


def fails_rule(
    skew: np.ndarray | float, kurtosis: np.ndarray | float, max_skew: float, max_kurtosis: float
) -> np.ndarray:
    """COINr's `check_SkewKurt` negated: |skew| ≥ max_skew and kurtosis ≥ max_kurtosis.
    Undefined (NaN) skew or kurtosis does not fail, as COINr leaves such a column alone."""
    with np.errstate(invalid="ignore"):
        return (np.abs(skew) >= max_skew) & (np.asarray(kurtosis) >= max_kurtosis)


def constancy(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(constant, near_constant, mode_share) along the last axis, ignoring NaN.

    constant: at least one value and max = min; near_constant: not constant, and at least
    NEAR_CONSTANT_SHARE of the values are one value, or sd/|mean| < NEAR_CONSTANT_CV;
    mode_share: the largest number of equal values ÷ the number of values (NaN if none)."""
    x = np.asarray(values, dtype=float)
    present = ~np.isnan(x)
    n = present.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        high = np.where(present, x, -np.inf).max(axis=-1, initial=-np.inf)
        low = np.where(present, x, np.inf).min(axis=-1, initial=np.inf)
        constant = (n > 0) & (high == low)
        # longest run of equal values in each sorted row (NaN sorts last and equals nothing)
        ordered = np.sort(x, axis=-1)
        positions = np.arange(x.shape[-1])
        if x.shape[-1]:
            starts = np.concatenate(
                [
                    np.ones((*ordered.shape[:-1], 1), dtype=bool),
                    ordered[..., 1:] != ordered[..., :-1],
                ],
                axis=-1,
            )
            run_start = np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
            runs = np.where(~np.isnan(ordered), positions - run_start + 1, 0)
            longest = runs.max(axis=-1, initial=0)
        else:
            longest = np.zeros(x.shape[:-1], dtype=int)
        mode_share = np.where(n > 0, longest / n, np.nan)
        mean = np.where(present, x, 0.0).sum(axis=-1) / n
        deviation = np.where(present, x - np.expand_dims(mean, -1), 0.0)
        sd = np.sqrt((deviation * deviation).sum(axis=-1) / (n - 1))
        tiny_spread = (n > 1) & (sd < NEAR_CONSTANT_CV * np.abs(mean))
        near_constant = ~constant & (n > 1) & ((mode_share >= NEAR_CONSTANT_SHARE) | tiny_spread)
    return constant, near_constant, mode_share


def log_ct(values: np.ndarray) -> np.ndarray:
    """COINr's `log_CT`: log(x − min + 0.01 · (max − min)), NaN left as NaN."""
    x = np.asarray(values, dtype=float)
    low, high = np.nanmin(x), np.nanmax(x)
    return np.log(x - low + LOG_OFFSET_SHARE * (high - low))


def _one(values: np.ndarray, max_skew: float, max_kurtosis: float) -> tuple[float, float, bool]:
    skew, kurt = skew_kurtosis(values)
    return float(skew), float(kurt), bool(fails_rule(skew, kurt, max_skew, max_kurtosis))


def winsorise(
    values: np.ndarray, *, max_winsorised: int, max_skew: float, max_kurtosis: float
) -> tuple[np.ndarray, np.ndarray, str]:
    """COINr's `winsorise`: (values, positions winsorised, outcome). Winsorises while the
    column fails and fewer than max_winsorised points are winsorised. Outcome: `passes`;
    `fails` (winmax reached); `no_spread`, a step left every unit equal: skew is then
    undefined, COINr's loop stops on the NA and `Treat()` returns the column untreated."""
    x = np.array(values, dtype=float)
    high = np.zeros(x.shape, dtype=bool)
    low = np.zeros(x.shape, dtype=bool)
    skew, _, fails = _one(x, max_skew, max_kurtosis)
    while fails and int(high.sum() + low.sum()) < max_winsorised:
        if skew >= 0:  # high outliers: the maximum (and its ties) to the next value down
            high = x == np.nanmax(x)
            x[high] = np.nanmax(np.where(high, np.nan, x))
        else:
            low = x == np.nanmin(x)
            x[low] = np.nanmin(np.where(low, np.nan, x))
        skew, kurt, fails = _one(x, max_skew, max_kurtosis)
        if np.isnan(skew) or np.isnan(kurt):
            return x, high | low, "no_spread"
    return x, high | low, "fails" if fails else "passes"


def treat_column(
    values: np.ndarray,
    *,
    max_winsorised: int = MAX_WINSORISED,
    max_skew: float = MAX_SKEW,
    max_kurtosis: float = MAX_KURTOSIS,
    apply: bool = True,
) -> Treatment:
    """Treat one column by COINr's rule: nothing if it passes; else winsorise up to
    max_winsorised points; if that is not enough, log_CT of the original values.
    With `apply=False` nothing is changed, but the record (flag, skew, kurtosis, constancy)
    is the same: a system with treatment off still shows which columns fail the rule."""
    raw = np.asarray(values, dtype=float)
    if raw.ndim != 1:
        raise ValueError(f"treat_column takes one column (1-D), got shape {raw.shape}")
    if max_winsorised < 0:
        raise ValueError(f"max_winsorised must be ≥ 0, got {max_winsorised}")
    skew, kurt, flagged = _one(raw, max_skew, max_kurtosis)
    constant, near_constant, mode_share = (float(a) for a in constancy(raw))
    untouched = np.zeros(raw.shape, dtype=bool)

    def record(treated: np.ndarray, method: str, winsorised: np.ndarray) -> Treatment:
        after_skew, after_kurt, after_fails = (
            _one(treated, max_skew, max_kurtosis) if method != "none" else (skew, kurt, flagged)
        )
        return Treatment(
            values=treated,
            method=method,
            flagged=flagged,
            flagged_after=after_fails,
            n_units=int((~np.isnan(raw)).sum()),
            skew_before=skew,
            kurtosis_before=kurt,
            skew_after=after_skew,
            kurtosis_after=after_kurt,
            winsorised=winsorised,
            constant=bool(constant),
            near_constant=bool(near_constant),
            mode_share=mode_share,
        )

    if not (apply and flagged):
        return record(raw.copy(), "none", untouched)
    winsorised, positions, outcome = winsorise(
        raw, max_winsorised=max_winsorised, max_skew=max_skew, max_kurtosis=max_kurtosis
    )
    if outcome == "passes":
        return record(winsorised, "winsorised", positions)
    if outcome == "no_spread":  # as COINr: left untreated (and flagged)
        return record(raw.copy(), "none", untouched)
    return record(log_ct(raw), "log", untouched)


def treat_columns(
    matrix: np.ndarray,
    *,
    max_winsorised: int = MAX_WINSORISED,
    max_skew: float = MAX_SKEW,
    max_kurtosis: float = MAX_KURTOSIS,
) -> tuple[np.ndarray, np.ndarray]:
    """Treat every row of a 2-D array (one column of units per row, e.g. one per replicate):
    (treated matrix, method index per row into METHODS). The rule is checked on all rows at
    once; only failing rows are iterated."""
    x = np.asarray(matrix, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"treat_columns takes a 2-D array, got shape {x.shape}")
    treated = x.copy()
    methods = np.zeros(x.shape[0], dtype=np.int8)
    skew, kurt = skew_kurtosis(x)
    for row in np.flatnonzero(fails_rule(skew, kurt, max_skew, max_kurtosis)):
        result = treat_column(
            x[row], max_winsorised=max_winsorised, max_skew=max_skew, max_kurtosis=max_kurtosis
        )
        treated[row] = result.values
        methods[row] = METHODS.index(result.method)
    return treated, methods

"""Outlier treatment by COINr's rule (suanli.index.treat) on columns small enough to follow by
hand, against scipy's and pandas' skewness and kurtosis, and as properties of any column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from suanli.index.treat import (
    METHODS,
    constancy,
    fails_rule,
    log_ct,
    skew_kurtosis,
    treat_column,
    treat_columns,
    winsorise,
)

# 1 … 20 and one unit a thousand: one point to winsorise, to the next value (20).
ONE_OUTLIER = np.r_[np.arange(1.0, 21.0), 1000.0]
# 90 units between 0 and 1 and 10 between 100 and 109: winsorising the top five points still
# leaves a tenth of the units far out, so COINr falls back to the log of the raw column.
TEN_FAR_OUT = np.r_[np.linspace(0.0, 1.0, 90), np.arange(100.0, 110.0)]


def test_skew_and_kurtosis_are_the_bias_corrected_sample_figures_scipy_and_pandas_give() -> None:
    rng = np.random.default_rng(7)
    for column in (ONE_OUTLIER, TEN_FAR_OUT, rng.lognormal(size=31), rng.normal(size=5)):
        skew, kurt = skew_kurtosis(column)
        assert skew == pytest.approx(scipy.stats.skew(column, bias=False), rel=1e-12)
        assert kurt == pytest.approx(scipy.stats.kurtosis(column, bias=False), rel=1e-12)
        assert skew == pytest.approx(pd.Series(column).skew(), rel=1e-12)
        assert kurt == pytest.approx(pd.Series(column).kurt(), rel=1e-12)


def test_skew_and_kurtosis_by_hand_ignore_missing_values_and_need_enough_spread() -> None:
    # 0, 0, 0, 4: d = (-1, -1, -1, 3), m2 = 12, m3 = 24, m4 = 84, n = 4
    # skew = √4 · 24 / 12^1.5 · √12 / 2 = 2, kurt = (5 · (4·84/144 − 3) + 6) · 3 / 2 = 4
    skew, kurt = skew_kurtosis(np.array([0.0, np.nan, 0.0, 0.0, 4.0]))
    assert (skew, kurt) == (pytest.approx(2.0), pytest.approx(4.0))
    assert np.isnan(skew_kurtosis(np.array([1.0, 2.0]))[0])  # fewer than 3 units
    assert np.isnan(skew_kurtosis(np.array([1.0, 2.0, 4.0]))[1])  # kurtosis needs 4
    assert np.isnan(skew_kurtosis(np.full(5, 3.0))).all()  # no spread
    # many columns at once: the same figures as one by one
    matrix = np.vstack([ONE_OUTLIER, ONE_OUTLIER[::-1] * -1, np.r_[ONE_OUTLIER[:-1], np.nan]])
    skews, kurts = skew_kurtosis(matrix)
    for row, (s, k) in enumerate(zip(skews, kurts, strict=True)):
        assert (s, k) == (
            pytest.approx(skew_kurtosis(matrix[row])[0]),
            pytest.approx(skew_kurtosis(matrix[row])[1]),
        )
    assert skews[1] == pytest.approx(-skews[0])


def test_the_rule_fails_only_when_both_skew_and_kurtosis_reach_their_thresholds() -> None:
    # COINr's check_SkewKurt passes on |skew| < 2 OR kurtosis < 3.5: the thresholds themselves fail
    cases = [(2.0, 3.5, True), (-2.5, 9.0, True), (1.99, 9.0, False), (3.0, 3.49, False)]
    for skew, kurt, fails in cases:
        assert bool(fails_rule(skew, kurt, 2.0, 3.5)) is fails
    assert not fails_rule(np.nan, 10.0, 2.0, 3.5) and not fails_rule(5.0, np.nan, 2.0, 3.5)


def test_one_huge_outlier_is_winsorised_to_the_next_value() -> None:
    result = treat_column(ONE_OUTLIER, max_winsorised=5, max_skew=2.0, max_kurtosis=3.5)
    assert result.method == "winsorised" and result.flagged and not result.flagged_after
    assert result.n_winsorised == 1 and np.flatnonzero(result.winsorised).tolist() == [20]
    assert result.values.tolist() == [*range(1, 21), 20]
    assert result.skew_before == pytest.approx(scipy.stats.skew(ONE_OUTLIER, bias=False))
    assert result.skew_after == pytest.approx(scipy.stats.skew(result.values, bias=False))
    assert abs(result.skew_after) < 2.0
    assert np.flatnonzero(result.treated).tolist() == [20]


def test_coinrs_own_cases() -> None:
    """COINr's tests/testthat/test-treat.R: c(1:10, 100) is winsorised to 10 and passes;
    c(1:20, 100, 200) with winmax = 1 still fails after one point, so the second function
    (here log_CT, COINr's default) is applied to the raw column."""
    one = treat_column(np.r_[np.arange(1.0, 11.0), 100.0], max_winsorised=5)
    assert one.method == "winsorised" and one.values[-1] == 10.0 and not one.flagged_after
    column = np.r_[np.arange(1.0, 21.0), 100.0, 200.0]
    assert winsorise(column, max_winsorised=1, max_skew=2, max_kurtosis=3.5)[2] == "fails"
    two = treat_column(column, max_winsorised=1)
    assert two.method == "log"
    np.testing.assert_allclose(two.values, np.log(column - 1 + 0.01 * 199))


def test_low_outliers_are_winsorised_upwards() -> None:
    result = treat_column(-ONE_OUTLIER)
    assert result.method == "winsorised" and result.skew_before < -2
    assert result.values[20] == -20.0 and result.n_winsorised == 1


def test_tied_extremes_move_together_and_are_counted_cumulatively() -> None:
    # 1 … 40, then 500, 900 and 900: the two 900s move at once (2 points) to 500, then the
    # three 500s (the two again, at the top with it) to 40: 3 points (COINr's length(imax))
    column = np.r_[np.arange(1.0, 41.0), 500.0, 900.0, 900.0]
    values, positions, outcome = winsorise(column, max_winsorised=5, max_skew=2, max_kurtosis=3.5)
    assert outcome == "passes" and positions.sum() == 3
    assert values[-3:].tolist() == [40.0, 40.0, 40.0]
    result = treat_column(column, max_winsorised=2)
    # after the first step (2 points) the limit of 2 is reached and it still fails: log
    assert result.method == "log"


def test_a_column_that_needs_more_than_max_winsorised_points_is_log_transformed() -> None:
    _, positions, outcome = winsorise(TEN_FAR_OUT, max_winsorised=5, max_skew=2, max_kurtosis=3.5)
    assert outcome == "fails" and positions.sum() == 5
    result = treat_column(TEN_FAR_OUT, max_winsorised=5, max_skew=2.0, max_kurtosis=3.5)
    assert result.method == "log" and result.n_winsorised == 0
    # COINr's log_CT of the *raw* column: log(x − min + 0.01 (max − min))
    expected = np.log(TEN_FAR_OUT - 0.0 + 0.01 * 109.0)
    np.testing.assert_allclose(result.values, expected, rtol=1e-15)
    assert result.treated.all()
    skew, kurt = skew_kurtosis(expected)
    assert (result.skew_after, result.kurtosis_after) == (skew, kurt)
    assert result.flagged_after == bool(fails_rule(skew, kurt, 2.0, 3.5))
    # unlimited points would have winsorised all ten
    assert winsorise(TEN_FAR_OUT, max_winsorised=100, max_skew=2, max_kurtosis=3.5)[1].sum() == 10


def test_no_winsorisation_allowed_goes_straight_to_the_log() -> None:
    result = treat_column(ONE_OUTLIER, max_winsorised=0)
    assert result.method == "log"
    np.testing.assert_allclose(result.values, log_ct(ONE_OUTLIER))


def test_a_column_passing_the_rule_is_left_alone() -> None:
    column = np.arange(1.0, 32.0)
    result = treat_column(column)
    assert result.method == "none" and not result.flagged and result.n_winsorised == 0
    assert result.values.tolist() == column.tolist() and not result.treated.any()


def test_with_treatment_off_the_column_is_unchanged_but_flagged() -> None:
    result = treat_column(ONE_OUTLIER, apply=False)
    assert result.method == "none" and result.flagged and result.flagged_after
    assert np.array_equal(result.values, ONE_OUTLIER)
    assert (result.skew_after, result.kurtosis_after) == (
        result.skew_before,
        result.kurtosis_before,
    )


def test_missing_values_stay_missing_and_are_not_counted() -> None:
    column = np.r_[ONE_OUTLIER[:10], np.nan, ONE_OUTLIER[10:], np.nan]
    result = treat_column(column)
    assert result.n_units == 21 and result.method == "winsorised"
    assert np.isnan(result.values[[10, 22]]).all()
    assert result.values[21] == 20.0 and np.flatnonzero(result.winsorised).tolist() == [21]


def test_winsorising_down_to_one_value_leaves_the_column_untreated_as_coinr_does() -> None:
    # thirty 0s and one 1: winsorising the 1 leaves no spread; COINr's loop stops on the NA
    # skew and Treat() returns the column untreated
    column = np.r_[np.zeros(30), 1.0]
    result = treat_column(column)
    assert result.flagged and result.method == "none" and result.flagged_after
    assert np.array_equal(result.values, column)
    assert result.near_constant and not result.constant


def test_constant_and_near_constant_columns_are_flagged() -> None:
    rows = np.array(
        [
            [7.0] * 31,  # constant
            [0.0] * 28 + [1.0, 2.0, 3.0],  # 28 of 31 (90.3 %) share one value
            [0.0] * 27 + [1.0, 2.0, 3.0, 4.0],  # 27 of 31 (87.1 %): not near-constant
            [1e6 + 1e-3 * i for i in range(31)],  # sd / mean ≈ 9e-9
            [np.nan] * 31,  # no value at all: neither
            [5.0] + [np.nan] * 30,  # one value: constant
        ]
    )
    constant, near_constant, share = constancy(rows)
    assert constant.tolist() == [True, False, False, False, False, True]
    assert near_constant.tolist() == [False, True, False, True, False, False]
    assert share[:3] == pytest.approx([1.0, 28 / 31, 27 / 31])
    assert np.isnan(share[4])
    for row, expected in zip(rows, constant, strict=True):
        assert treat_column(row).constant == expected
    assert treat_column(rows[0]).method == "none"  # a constant column is never treated


def test_many_columns_at_once_treat_each_as_one() -> None:
    rng = np.random.default_rng(11)
    matrix = np.vstack([ONE_OUTLIER, np.arange(21.0), rng.lognormal(0, 2, 21), -ONE_OUTLIER])
    treated, methods = treat_columns(matrix)
    for row in range(len(matrix)):
        one = treat_column(matrix[row])
        np.testing.assert_array_equal(treated[row], one.values)
        assert METHODS[methods[row]] == one.method


columns = arrays(
    np.float64,
    st.integers(min_value=0, max_value=40),
    elements=st.one_of(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.sampled_from([0.0, 1.0, 1e6]),  # ties
        st.just(np.nan),
    ),
)


@given(columns, st.integers(min_value=0, max_value=8))
def test_treatment_properties(column: np.ndarray, max_winsorised: int) -> None:
    result = treat_column(column, max_winsorised=max_winsorised)
    missing = np.isnan(column)
    assert np.array_equal(np.isnan(result.values), missing)  # missing stays missing
    assert result.n_units == int((~missing).sum())
    present = ~missing
    raw, treated = column[present], result.values[present]
    # order is kept (never reversed): a treated column ranks the units as the raw one, ties aside
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(treated[order]) >= 0)
    if result.method == "none":
        assert np.array_equal(treated, raw)
    if result.method == "winsorised":
        # every value is one of the raw values, within the raw range, only winsorised ones move
        assert np.isin(treated, raw).all()
        assert np.array_equal(treated != raw, result.winsorised[present])
        assert not result.flagged_after
    if result.method != "none":
        assert result.flagged
    # treatment off: unchanged, flags the same
    off = treat_column(column, max_winsorised=max_winsorised, apply=False)
    assert np.array_equal(off.values, column, equal_nan=True)
    assert off.flagged == result.flagged and off.constant == result.constant

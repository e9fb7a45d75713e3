"""Monte Carlo, Sobol and leave-one-out on hand-computable coins."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from robustness_coins import tiny_coin

from suanli.index.robustness import steps, uncertainty
from suanli.index.robustness.uncertainty import Choices

FEW = Choices(runs=400, seed=11, sobol_samples=64)


def composite(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["node_code"] == "composite"].set_index("unit_code")


def test_the_nominal_run_is_the_hand_computed_index() -> None:
    frame = composite(uncertainty.rank_uncertainty(tiny_coin(), FEW))
    assert frame["nominal_score"].to_dict() == pytest.approx({"u1": 0, "u2": 62.5, "u3": 87.5})
    assert frame["nominal_rank"].to_dict() == {"u1": 3, "u2": 2, "u3": 1}


def test_rank_intervals_hold_the_median_and_every_unit_is_in_a_top_10_of_three() -> None:
    frame = uncertainty.rank_uncertainty(tiny_coin(), FEW)
    assert (frame["rank_p5"] <= frame["median_rank"]).all()
    assert (frame["median_rank"] <= frame["rank_p95"]).all()
    assert frame[["rank_p5", "rank_p95"]].isin([1, 2, 3]).all().all()
    assert (frame["top10_share"] == 1.0).all()
    assert (frame["runs"] == 400).all()


def test_no_choice_reorders_units_whose_lead_the_weights_cannot_overturn() -> None:
    # u3 − u2 = 50 w_a − 50 w_b: a judgement of 3 moved one step (2 or 4) with ±25 % noise
    # keeps w_a > w_b, and u1 is lowest on both indicators: every run ranks as the nominal.
    frame = composite(uncertainty.rank_uncertainty(tiny_coin(), FEW))
    for unit, rank in {"u1": 3, "u2": 2, "u3": 1}.items():
        assert frame.loc[unit, ["rank_p5", "median_rank", "rank_p95"]].tolist() == [rank] * 3


def test_score_figures_come_from_runs_on_the_nominal_scale() -> None:
    frame = composite(uncertainty.rank_uncertainty(tiny_coin(), FEW))
    # min–max scores of u1 are 0 on both indicators: 0 in every run that keeps min–max.
    assert frame.loc["u1", ["score_mean", "score_p5", "score_p95"]].tolist() == [0, 0, 0]
    share = frame["score_runs"].iloc[0] / 400
    assert 0.2 < share < 0.5  # one of three normalisations, drawn at random


def test_a_seeded_run_reproduces_bit_for_bit_and_another_seed_differs() -> None:
    first = uncertainty.rank_uncertainty(tiny_coin(), FEW)
    again = uncertainty.rank_uncertainty(tiny_coin(), FEW)
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = uncertainty.rank_uncertainty(tiny_coin(), Choices(runs=400, seed=12))
    assert not first["score_mean"].equals(other["score_mean"])


def test_nothing_varies_gives_the_nominal_rank_in_every_run() -> None:
    fixed = Choices(runs=50, step_probability=0.0, weight_noise=0.0, normalisations=("minmax",))
    frame = uncertainty.rank_uncertainty(tiny_coin(), fixed)
    for column in ("median_rank", "rank_p5", "rank_p95"):
        assert (frame[column] == frame["nominal_rank"]).all()
    assert (frame["score_p5"] == frame["nominal_score"]).all()


def test_a_unit_below_the_data_threshold_gets_no_rank() -> None:
    coin = tiny_coin(np.array([[10.0, 1.0], [20.0, 3.0], [30.0, np.nan]]), min_data_share=0.75)
    frame = composite(uncertainty.rank_uncertainty(coin, FEW))
    assert np.isnan(frame.loc["u3", "nominal_rank"]) and np.isnan(frame.loc["u3", "median_rank"])
    assert frame.loc[["u1", "u2"], "nominal_rank"].tolist() == [2, 1]


@pytest.mark.parametrize("coefficients", [(1.0, 2.0, 3.0), (4.0, 1.0, 0.5)])
def test_sobol_indices_of_a_linear_model_are_the_analytic_ones(coefficients) -> None:
    # Y = Σ a_i X_i with X_i ~ U(0, 1) independent: S_i = ST_i = a_i² / Σ a_j².
    a = np.array(coefficients)
    frame = uncertainty.sobol(lambda x: x @ a, ["x1", "x2", "x3"], 4096, seed=5)
    expected = a**2 / (a**2).sum()
    np.testing.assert_allclose(frame["first_order"], expected, atol=0.03)
    np.testing.assert_allclose(frame["total_order"], expected, atol=0.03)
    assert (frame["runs"] == 4096 * 5).all()


def test_sobol_of_the_tiny_coin_names_the_factors_that_vary() -> None:
    frame = uncertainty.sobol_indices(tiny_coin(), FEW)
    # Imputation is not a factor: no value is missing.
    assert frame["factor"].tolist() == ["judgements", "weight_noise", "normalisation"]
    assert (frame["runs"] == 64 * 5).all()
    # No run moves a rank (above), so there is nothing to apportion.
    assert (frame["mean_rank_shift"] == 0).all()


def test_leaving_an_indicator_out_renormalises_its_siblings() -> None:
    frame = uncertainty.leave_one_out(tiny_coin()).set_index(["indicator_code", "unit_code"])
    # Without b the composite is a alone: u3, u2, u1 as before. Without a it is b: u2 leads.
    assert frame.loc["b", "rank_without"].to_dict() == {"u1": 3, "u2": 2, "u3": 1}
    assert frame.loc["a", "rank_without"].to_dict() == {"u1": 3, "u2": 1, "u3": 2}
    assert frame.loc["a", "rank_shift"].to_dict() == {"u1": 0, "u2": 1, "u3": -1}


def test_winsorisation_is_a_choice_only_where_a_column_fails_coinrs_rule() -> None:
    # a: one unit far above five others (|skew| ≥ 2 and kurtosis ≥ 3.5); b: spread evenly.
    values = np.array([[1.0, 1], [2, 2], [1.5, 3], [2.5, 4], [1.2, 5], [60, 6]])
    coin = replace(tiny_coin(), units=tuple(f"u{i}" for i in range(6)), values=values,
                   previous=np.full(values.shape, np.nan), regions=("r",) * 6)  # fmt: skip
    audit = uncertainty.audit_for(coin, FEW, 8)
    assert "winsorisation" in uncertainty.active_factors(audit)
    assert audit.alternatives("winsorisation") == (False, True)
    nominal, treated = audit.indicator_scores(0, 0, 0), audit.indicator_scores(0, 0, 1)
    np.testing.assert_array_equal(nominal[:, 1], treated[:, 1])  # b passes: untouched
    assert treated[4, 0] > nominal[4, 0]  # 60 winsorised to 2.5: the rest spread out
    np.testing.assert_allclose(treated, steps.normalise(coin, steps.treat(coin, values), "minmax"))
    assert "winsorisation" not in uncertainty.active_factors(
        uncertainty.audit_for(tiny_coin(), FEW, 8)
    )

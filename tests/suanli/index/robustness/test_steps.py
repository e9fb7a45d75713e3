"""The method's steps on cases small enough to compute by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from robustness_coins import PAIRWISE, tiny_coin, two_level_coin
from scipy.stats import rankdata

from suanli.index.ahp import aggregate_judgements, ahp_weights
from suanli.index.panel.group import aggregate_priorities
from suanli.index.robustness import steps
from suanli.index.robustness.coin import Panel


def test_minmax_scores_each_indicator_0_to_100_in_its_direction() -> None:
    coin = tiny_coin(negative=(False, True))
    scores = steps.normalise(coin, coin.values, "minmax")
    np.testing.assert_allclose(scores, [[0, 100], [50, 0], [100, 50]])


def test_zscore_and_rank_normalisations() -> None:
    coin = tiny_coin()
    z = steps.normalise(coin, coin.values, "zscore")
    root = np.sqrt(1.5)  # (x − mean) / population sd for 10, 20, 30 and for 1, 3, 2
    np.testing.assert_allclose(z, [[-root, -root], [0, root], [root, 0]])
    ranks = steps.normalise(coin, coin.values, "rank")
    np.testing.assert_allclose(ranks, [[0, 0], [50, 100], [100, 50]])


def test_a_constant_column_scores_the_systems_constant_and_a_missing_value_stays_missing() -> None:
    coin = tiny_coin(np.array([[5.0, 1.0], [5.0, np.nan], [5.0, 2.0]]))
    scores = steps.normalise(coin, coin.values, "minmax")
    np.testing.assert_array_equal(scores[:, 0], [0, 0, 0])
    assert np.isnan(scores[1, 1])


def test_the_composite_is_the_weighted_mean_of_the_children_with_a_score() -> None:
    coin = tiny_coin(np.array([[10.0, 1.0], [20.0, 3.0], [30.0, np.nan]]))
    scores = steps.normalise(coin, coin.values, "minmax")
    composite = steps.aggregate(coin.hierarchy, scores, coin.hierarchy.local_weights[None])
    # u3 has no b: a alone carries the composite.
    np.testing.assert_allclose(composite[0, :, 0], [0, 0.75 * 50 + 0.25 * 100, 100])


def test_renormalisation_is_among_siblings_level_by_level() -> None:
    # u1 lacks b: p is a alone (not a rescaled over the whole composite), so the composite
    # stays the weighted mean of p and q as published.
    coin = two_level_coin(np.array([[0.0, np.nan, 10.0], [10.0, 10.0, 0.0], [5.0, 0.0, 5.0]]))
    scores = steps.normalise(coin, coin.values, "minmax")
    nodes = steps.aggregate(coin.hierarchy, scores, coin.hierarchy.local_weights[None])[0]
    composite, p, q = nodes[:, 0], nodes[:, 1], nodes[:, 2]
    np.testing.assert_allclose(p, [0, 100, 25])
    np.testing.assert_allclose(q, [100, 0, 50])
    np.testing.assert_allclose(composite, 0.5 * p + 0.5 * q)
    assert composite[0] == pytest.approx(50)  # whole-node rescaling would give 66.67


def test_a_weight_of_zero_leaves_the_child_out_as_if_missing() -> None:
    coin = tiny_coin()
    scores = steps.normalise(coin, coin.values, "minmax")
    weights = np.array([[1.0, 0.75, 0.0]])
    np.testing.assert_allclose(
        steps.aggregate(coin.hierarchy, scores, weights)[0, :, 0], [0, 50, 100]
    )


@pytest.mark.parametrize(
    ("rule", "filled"),
    [("year_median", 2.0), ("previous_year", 7.0), ("regional_mean", 1.0)],
)
def test_imputation_fills_only_the_missing_value(rule: str, filled: float) -> None:
    values = np.array([[10.0, 1.0], [20.0, 3.0], [30.0, np.nan]])
    previous = np.array([[9.0, 1.0], [19.0, 2.0], [29.0, 7.0]])
    # u3 shares its region with u1 only: the regional mean of b is u1's 1.
    coin = tiny_coin(values, previous=previous, regions=("east", "west", "east"))
    imputed = steps.impute(coin, rule)
    assert imputed[2, 1] == filled
    np.testing.assert_array_equal(imputed[:2], values[:2])
    np.testing.assert_array_equal(imputed[:, 0], values[:, 0])


def test_competition_ranks_share_the_better_rank_and_leave_missing_unranked() -> None:
    scores = np.array([[5.0, 7.0, 7.0, 1.0, np.nan], [1.0, 2.0, 3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(
        steps.competition_ranks(scores), [[3, 1, 1, 4, 0], [5, 4, 3, 2, 1]]
    )
    # Scores equal to 6 decimals tie, as the published ranks do.
    np.testing.assert_array_equal(steps.competition_ranks(np.array([1.0, 1.0 + 1e-9])), [1, 1])


# Few distinct values, so that most draws have ties; NaN for a missing score.
_SCORES = st.sampled_from([np.nan, 0.0, 12.5, 12.5 + 1e-9, 50.0, 99.999999, 100.0])


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 12)), elements=_SCORES))
def test_competition_ranks_equal_min_ranks_of_the_rounded_scores(scores: np.ndarray) -> None:
    ranked = steps.competition_ranks(scores)
    for row, ranks in zip(scores, ranked, strict=True):
        present = ~np.isnan(row)
        keys = -np.round(row[present], steps.RANK_DECIMALS)
        np.testing.assert_array_equal(ranks[present], rankdata(keys, method="min"))
        np.testing.assert_array_equal(ranks[~present], 0)


def test_batched_eigenvector_weights_equal_the_ahp_module() -> None:
    rng = np.random.default_rng(7)
    checked = 0
    for n in range(3, 9):
        for _ in range(300):
            upper = rng.choice(steps.SAATY_SCALE, size=(n, n))
            matrix = np.triu(upper, 1)
            matrix = matrix + np.tril(1 / np.where(matrix.T > 0, matrix.T, 1), -1)
            np.fill_diagonal(matrix, 1.0)
            reference = ahp_weights(matrix.tolist())
            if not reference.is_consistent:
                continue
            weights, lambda_max = steps.principal_weights(matrix[None])
            np.testing.assert_allclose(weights[0], reference.weights, atol=1e-12)
            assert lambda_max[0] == pytest.approx(reference.lambda_max, abs=1e-9)
            checked += 1
    assert checked > 50


def test_perturbed_judgements_stay_on_saatys_scale_and_acceptable() -> None:
    pairwise = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    panel = Panel(pairwise[None], np.array([1.0]), named=False)
    rng = np.random.default_rng(3)
    weights = steps.perturbed_judgements(panel, 500, 0.5, rng, random_index=0.58)
    assert weights.shape == (500, 3)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    assert len({tuple(row) for row in weights.round(12)}) > 5, "judgements moved"
    # Every replicate is the eigenvector of some acceptable matrix on the scale: rebuild the
    # matrix from its weight ratios' nearest scale values and check its CR.
    for row in weights[:50]:
        ratios = row[:, None] / row[None, :]
        steps_away = np.abs(
            np.log(ratios)[np.triu_indices(3, 1)][:, None] - np.log(steps.SAATY_SCALE)
        )
        assert steps_away.min(axis=1).max() < 1.5  # near the scale, not arbitrary
    unmoved = steps.perturbed_judgements(panel, 10, 0.0, rng, random_index=0.58)
    np.testing.assert_allclose(unmoved, np.tile(ahp_weights(pairwise.tolist()).weights, (10, 1)))


def test_a_panel_is_bootstrapped_from_its_experts_judgements() -> None:
    first = np.array([[1.0, 3.0], [1 / 3, 1.0]])
    second = np.array([[1.0, 1 / 2], [2.0, 1.0]])
    panel = Panel(np.stack([first, second]), np.array([1.0, 1.0]), named=True)
    weights = steps.bootstrapped_panel(panel, 400, np.random.default_rng(0))
    # A resample of two is {first, first}, {second, second} or one of each (the AIJ).
    possible = [
        ahp_weights(first.tolist()).weights,
        ahp_weights(second.tolist()).weights,
        ahp_weights(aggregate_judgements([first.tolist(), second.tolist()])).weights,
    ]
    distances = np.min(
        [np.abs(weights - np.array(option)).max(axis=1) for option in possible], axis=0
    )
    assert distances.max() < 1e-12
    seen = {int(np.argmin([np.abs(row - np.array(o)).max() for o in possible])) for row in weights}
    assert seen == {0, 1, 2}


def test_a_panel_aggregated_by_aip_is_bootstrapped_by_aip() -> None:
    """Each replicate is the weighted geometric mean of the drawn experts' own priority
    vectors (AIP), not the eigenvector of their geometric-mean matrix."""
    # 4×4: for n = 3 the eigenvector is the rows' geometric mean, and AIP and AIJ coincide.
    consistent = np.outer([4, 2, 1, 2], [1 / 4, 1 / 2, 1, 1 / 2])
    reversed_ = np.outer([1, 2, 4, 1], [1, 1 / 2, 1 / 4, 1])
    erratic = np.array(
        [[1, 9, 1 / 9, 3], [1 / 9, 1, 5, 1 / 7], [9, 1 / 5, 1, 2], [1 / 3, 7, 1 / 2, 1]]
    )
    matrices = np.stack([consistent, reversed_, erratic])
    say = np.array([1.0, 2.0, 1.0])
    panel = Panel(matrices, say, named=True, aggregation="aip")
    weights = steps.bootstrapped_panel(panel, 50, np.random.default_rng(3))
    drawn = np.random.default_rng(3).integers(0, 3, size=(50, 3))
    own = [ahp_weights(m.tolist()).weights for m in matrices]
    expected = [aggregate_priorities([own[k] for k in row], say[row]) for row in drawn]
    np.testing.assert_allclose(weights, expected, atol=1e-10)
    aij = [
        ahp_weights(aggregate_judgements([matrices[k].tolist() for k in row], say[row])).weights
        for row in drawn
    ]
    assert np.abs(weights - np.array(aij)).max() > 1e-3


def test_rank_quantiles_are_numpys_inverted_cdf_over_the_ranked_runs() -> None:
    ranks = np.random.default_rng(1).integers(0, 12, size=(999, 3, 5))
    found, top = steps.rank_quantiles(ranks, (0.05, 0.5, 0.95), 10)
    ranked = np.where(ranks > 0, ranks, np.nan)
    expected = np.nanquantile(ranked, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    np.testing.assert_array_equal(found, expected)
    np.testing.assert_allclose(top, np.nanmean(np.where(ranks > 0, ranks <= 10, np.nan), axis=0))


def test_score_quantiles_leave_missing_out() -> None:
    rng = np.random.default_rng(2)
    scores = rng.normal(size=(501, 4))
    scores[rng.random(scores.shape) < 0.3] = np.nan
    scores[:, 3] = np.nan
    expected = np.nanquantile(scores[:, :3], [0.05, 0.95], axis=0, method="inverted_cdf")
    found = steps.score_quantiles(scores, (0.05, 0.95))
    np.testing.assert_array_equal(found[:, :3], expected)
    assert np.isnan(found[:, 3]).all()


def test_the_tiny_coins_judgements_are_those_of_its_weights() -> None:
    assert ahp_weights(PAIRWISE.tolist()).weights == pytest.approx((0.75, 0.25))

"""Pooling a panel (AIJ against ahpy, AIP) and measuring how far its experts disagree."""

from __future__ import annotations

import itertools
import math

import ahpy
import numpy as np
import pytest

from suanli.index.ahp import AhpMatrixError, aggregate_judgements, ahp_weights
from suanli.index.panel.group import aggregate_priorities, geometric_sd, interquartile_range

# Three experts on one 4-child node who disagree, most of all on (0, 1): 3, 1/3 and 1. The
# second is also far from consistent (CR 1.1), which is where AIJ and AIP part.
EXPERTS = [
    [[1, 3, 5, 7], [1 / 3, 1, 3, 5], [1 / 5, 1 / 3, 1, 3], [1 / 7, 1 / 5, 1 / 3, 1]],
    [[1, 1 / 3, 2, 9], [3, 1, 1 / 5, 9], [1 / 2, 5, 1, 1 / 2], [1 / 9, 1 / 9, 2, 1]],
    [[1, 1, 1 / 2, 3], [1, 1, 1 / 3, 2], [2, 3, 1, 5], [1 / 3, 1 / 2, 1 / 5, 1]],
]


def ahpy_weights(matrix: list[list[float]]) -> list[float]:
    n = len(matrix)
    pairs = {(f"e{i}", f"e{j}"): matrix[i][j] for i, j in itertools.combinations(range(n), 2)}
    compare = ahpy.Compare("peer", pairs, precision=10)
    return [compare.local_weights[f"e{k}"] for k in range(n)]


def test_aij_weights_are_ahpys_weights_of_the_aij_matrix() -> None:
    group = aggregate_judgements(EXPERTS)

    ours = ahp_weights(group).weights

    assert group[0][1] == pytest.approx((3 * (1 / 3) * 1) ** (1 / 3))
    assert ours == pytest.approx(ahpy_weights(group), abs=1e-8)


def test_aip_differs_from_aij_and_both_sum_to_one() -> None:
    aij = np.array(ahp_weights(aggregate_judgements(EXPERTS)).weights)

    aip = aggregate_priorities([ahp_weights(matrix).weights for matrix in EXPERTS])

    assert aip.sum() == pytest.approx(1.0, abs=1e-12)
    assert aij.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.max(np.abs(aip - aij)) > 0.01


def test_aip_and_aij_coincide_when_every_expert_is_consistent() -> None:
    vectors = [[0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.1, 0.6, 0.3]]
    matrices = [[[wi / wj for wj in w] for wi in w] for w in vectors]

    aij = ahp_weights(aggregate_judgements(matrices, [1, 2, 3])).weights

    assert aggregate_priorities(vectors, [1, 2, 3]) == pytest.approx(aij, rel=1e-9)


def test_aip_is_the_normalised_weighted_geometric_mean() -> None:
    vectors = [[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]]

    pooled = aggregate_priorities(vectors, weights=[3, 1])

    by_hand = np.array([0.5**0.75 * 0.2**0.25, 0.3**0.75 * 0.2**0.25, 0.2**0.75 * 0.6**0.25])
    assert pooled == pytest.approx(by_hand / by_hand.sum(), rel=1e-12)


def test_one_expert_is_their_own_aip() -> None:
    assert aggregate_priorities([[0.6, 0.3, 0.1]]) == pytest.approx([0.6, 0.3, 0.1], rel=1e-12)


def test_experts_who_agree_have_a_geometric_sd_of_one() -> None:
    assert geometric_sd([3, 3, 3]) == pytest.approx(1.0, abs=1e-12)
    assert geometric_sd([5]) == 1.0


def test_geometric_sd_of_three_one_third_and_one_is_exp_of_the_sd_of_their_logs() -> None:
    written = [row[0][1] for row in EXPERTS]
    logs = [math.log(3), math.log(1 / 3), math.log(1)]  # mean 0
    by_hand = math.exp(math.sqrt(sum(x**2 for x in logs) / 3))

    assert written == [3, 1 / 3, 1]
    assert geometric_sd(written) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(math.exp(math.log(3) * math.sqrt(2 / 3)), rel=1e-12)


def test_weighted_geometric_sd_counts_an_expert_as_often_as_their_weight() -> None:
    # weights 2 : 1 : 1 → mean ln 3 / 4, variance (2·(3/4)² + (5/4)² + (1/4)²)·ln²3 / 4
    weighted = geometric_sd([3, 1 / 3, 1], weights=[2, 1, 1])

    assert weighted == pytest.approx(math.exp(math.log(3) * math.sqrt(11) / 4), rel=1e-12)
    assert weighted == pytest.approx(geometric_sd([3, 3, 1 / 3, 1]), rel=1e-12)


def test_reciprocal_judgements_are_equally_dispersed() -> None:
    assert geometric_sd([2, 5, 9]) == pytest.approx(geometric_sd([1 / 2, 1 / 5, 1 / 9]), rel=1e-12)


def test_interquartile_range_interpolates_linearly() -> None:
    # Q1 = 1 + 0.75·(2 − 1) = 1.75, Q3 = 3 + 0.25·(4 − 3) = 3.25
    assert interquartile_range([4, 1, 3, 2]) == pytest.approx(1.5)
    assert interquartile_range([0.2]) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: aggregate_priorities([]),
        lambda: aggregate_priorities([[0.5, 0.5], [0.2, 0.3, 0.5]]),
        lambda: aggregate_priorities([[0.5, 0.5], [1.0, 0.0]]),
        lambda: aggregate_priorities([[0.5, 0.5], [0.4, 0.6]], weights=[1]),
        lambda: geometric_sd([3, -1]),
        lambda: geometric_sd([]),
        lambda: geometric_sd([3, 1], weights=[1, 0]),
        lambda: interquartile_range([]),
        lambda: interquartile_range([1, float("nan")]),
    ],
    ids=[
        "no-experts",
        "ragged",
        "zero-priority",
        "weights-miscounted",
        "negative",
        "no-values",
        "zero-weight",
        "iqr-empty",
        "iqr-nan",
    ],
)
def test_malformed_panels_are_refused(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_bad_expert_weights_are_refused_as_for_aij() -> None:
    with pytest.raises(AhpMatrixError, match="2 expert weights for 3 experts"):
        aggregate_priorities([[0.5, 0.5]] * 3, weights=[1, 1])

"""Pooling a panel: AIJ against ahpy, and AIP."""

from __future__ import annotations

import itertools

import ahpy
import numpy as np
import pytest

from suanli.index.ahp import AhpMatrixError, aggregate_judgements, ahp_weights
from suanli.index.panel.group import aggregate_priorities

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


@pytest.mark.parametrize(
    "call",
    [
        lambda: aggregate_priorities([]),
        lambda: aggregate_priorities([[0.5, 0.5], [0.2, 0.3, 0.5]]),
        lambda: aggregate_priorities([[0.5, 0.5], [1.0, 0.0]]),
        lambda: aggregate_priorities([[0.5, 0.5], [0.4, 0.6]], weights=[1]),
    ],
    ids=[
        "no-experts",
        "ragged",
        "zero-priority",
        "weights-miscounted",
    ],
)
def test_malformed_panels_are_refused(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_bad_expert_weights_are_refused_as_for_aij() -> None:
    with pytest.raises(AhpMatrixError, match="2 expert weights for 3 experts"):
        aggregate_priorities([[0.5, 0.5]] * 3, weights=[1, 1])

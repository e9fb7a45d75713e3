"""Completing an expert's incomplete matrix: ahpy's published example, optimality, the graph."""

from __future__ import annotations

import itertools

import ahpy
import numpy as np
import pytest

from suanli.index.ahp import ahp_weights
from suanli.index.panel.completion import UnconnectedComparisonsError, complete
from suanli.index.panel.scale import SCALE_VALUES

# ahpy's README, "Missing Pairwise Comparisons": a, b, c, d with (c, d) left out.
README_INCOMPLETE = {(0, 1): 1, (0, 2): 5, (0, 3): 2, (1, 2): 3, (1, 3): 4}
README_WEIGHTS = {"a": 0.3738, "b": 0.392, "c": 0.0985, "d": 0.1357}
README_COMPUTED_CD = 0.7302971068355002

# ahpy's README (Saaty 2008): drinks consumed in the US, upper triangle of the 7×7 matrix.
DRINKS = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
DRINKS_UPPER = [
    [9, 5, 2, 1, 1, 1 / 2],
    [1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 1, 1 / 3],
    [2, 1 / 2],
    [1 / 3],
]
DRINKS_PUBLISHED = [0.1775, 0.0191, 0.0418, 0.1164, 0.1896, 0.1288, 0.3268]

# ahpy's README, "Choosing a leader" (Wikipedia's leader example, candidates renamed).
CANDIDATES = ["Moll", "Nell", "Sue"]
LEADER = {
    "Experience": [[1 / 4, 4], [9]],
    "Education": [[3, 1 / 5], [1 / 7]],
    "Charisma": [[5, 9], [4]],
    "Age": [[1 / 3, 5], [9]],
    "Criteria": [[4, 3, 7], [1 / 3, 3], [5]],
}
CRITERIA = ["Experience", "Education", "Charisma", "Age"]
# Published in that README (precision 3, random_index="saaty", i.e. Saaty 2005's RI).
LEADER_EXPERIENCE = {"Nell": 0.717, "Moll": 0.217, "Sue": 0.066}


def ahpy_compare(judgements: dict[tuple[int, int], float]) -> ahpy.Compare:
    pairs = {(f"e{i}", f"e{j}"): value for (i, j), value in judgements.items()}
    # precision 10 keeps ahpy's rounding out; a tight tolerance keeps its search going longer.
    return ahpy.Compare("peer", pairs, precision=10, tolerance=1e-7)


def from_upper(upper: list[list[float]]) -> dict[tuple[int, int], float]:
    return {(i, i + 1 + k): value for i, row in enumerate(upper) for k, value in enumerate(row)}


def ahpy_filled(peer: ahpy.Compare, i: int, j: int) -> float:
    """The a_ij ahpy computed; it keys a blank by its elements' order of first appearance."""
    computed = peer._missing_comparisons
    return computed.get((f"e{i}", f"e{j}")) or 1 / computed[(f"e{j}", f"e{i}")]


def lambda_max(matrix: np.ndarray) -> float:
    return float(np.max(np.linalg.eigvals(matrix).real))


def incomplete_cases(count: int) -> list[tuple[int, dict[tuple[int, int], float]]]:
    rng = np.random.default_rng(2010)
    cases = []
    while len(cases) < count:
        n = int(rng.integers(4, 10))
        pairs = list(itertools.combinations(range(n), 2))
        blanks = {pairs[k] for k in rng.choice(len(pairs), size=int(rng.integers(1, 5)))}
        judgements = {p: float(rng.choice(SCALE_VALUES)) for p in pairs if p not in blanks}
        # keep only connected cases: every child is compared with child 0 or through others
        try:
            complete(n, judgements)
        except UnconnectedComparisonsError:
            continue
        cases.append((n, judgements))
    return cases


def test_saatys_drinks_weigh_as_published_and_as_ahpy_with_the_same_random_index() -> None:
    judgements = from_upper(DRINKS_UPPER)
    completion = complete(7, judgements)
    peer = ahpy.Compare("Drinks", {(DRINKS[i], DRINKS[j]): v for (i, j), v in judgements.items()})
    exact_peer = ahpy.Compare(
        "exact", {(DRINKS[i], DRINKS[j]): v for (i, j), v in judgements.items()}, precision=12
    )

    result = ahp_weights(completion.matrix.tolist(), "donegan_dodd_1991")

    assert completion.method == "none" and completion.filled == ()
    assert result.weights == pytest.approx(DRINKS_PUBLISHED, abs=1.0001e-4)
    assert result.weights == pytest.approx([peer.local_weights[d] for d in DRINKS], abs=0.5001e-4)
    assert result.consistency_ratio == pytest.approx(peer.consistency_ratio, abs=0.5001e-4)
    # ahpy's 'dd' RI for n = 7 (CI / its unrounded CR) is the one in our CSV.
    assert result.random_index == 1.2519
    assert result.consistency_index / exact_peer.consistency_ratio == pytest.approx(
        1.2519, abs=1e-7
    )


@pytest.mark.parametrize("node", list(LEADER))
def test_each_matrix_of_the_leader_example_weighs_as_ahpy(node: str) -> None:
    elements = CRITERIA if node == "Criteria" else CANDIDATES
    judgements = from_upper(LEADER[node])
    peer = ahpy.Compare(
        node, {(elements[i], elements[j]): v for (i, j), v in judgements.items()}, precision=10
    )

    result = ahp_weights(complete(len(elements), judgements).matrix.tolist(), "donegan_dodd_1991")

    assert result.weights == pytest.approx([peer.local_weights[e] for e in elements], abs=1e-8)
    assert result.consistency_ratio == pytest.approx(peer.consistency_ratio, abs=1e-8)


def test_the_leader_examples_experience_weights_are_the_published_ones() -> None:
    result = ahp_weights(complete(3, from_upper(LEADER["Experience"])).matrix.tolist())

    assert result.weights == pytest.approx([LEADER_EXPERIENCE[c] for c in CANDIDATES], abs=5e-4)
    # ahpy's README gives CR 0.035 on Saaty 2005's RI for n = 3 (0.52); ours is Saaty 1980's 0.58.
    assert round(result.consistency_index / 0.52, 3) == 0.035


def test_ahpy_readme_incomplete_matrix_gets_ahpys_weights_cr_and_filled_entry() -> None:
    completion = complete(4, README_INCOMPLETE)
    result = ahp_weights(completion.matrix.tolist(), "donegan_dodd_1991")
    names = "abcd"
    peer = ahpy.Compare(
        "Missing_CD", {(names[i], names[j]): v for (i, j), v in README_INCOMPLETE.items()}
    )

    assert completion.filled == ((2, 3),)
    assert completion.method == "bozoki_2010"
    assert completion.matrix[2, 3] == pytest.approx(README_COMPUTED_CD, abs=1e-5)
    assert completion.matrix[3, 2] == pytest.approx(1 / README_COMPUTED_CD, abs=1e-5)
    assert result.weights == pytest.approx([peer.local_weights[c] for c in names], abs=1e-3)
    assert result.weights == pytest.approx([README_WEIGHTS[c] for c in names], abs=1e-3)
    assert result.consistency_ratio == pytest.approx(peer.consistency_ratio, abs=1e-3)
    assert round(result.consistency_ratio, 4) == 0.0372


def test_a_single_blank_in_ahpys_example_has_the_closed_form_optimum() -> None:
    # λmax is the largest root of μ⁴ − 6μ² − T·μ + 3 − Q (μ = λ − 1), T summing t + 1/t over the
    # triangles and Q over the 4-cycles. x = a_cd enters T as 13x/4 + 26/(15x) (triangles c-d-a,
    # c-d-b) and Q as 11x/4 + 22/(15x) (cycles a-b-c-d, a-b-d-c): both are stationary at
    # x² = 8/15, so λmax is too. ahpy's bounded search stops 4e-7 away.
    assert complete(4, README_INCOMPLETE).matrix[2, 3] == pytest.approx((8 / 15) ** 0.5, rel=1e-12)


def test_a_consistent_matrix_with_a_blank_is_completed_with_the_consistent_value() -> None:
    completion = complete(3, {(0, 1): 3, (1, 2): 2})

    assert completion.matrix[0, 2] == pytest.approx(6.0, rel=1e-12)
    assert completion.matrix[2, 0] == pytest.approx(1 / 6, rel=1e-12)
    assert lambda_max(completion.matrix) == pytest.approx(3.0, rel=1e-12)


def test_several_blanks_in_a_consistent_matrix_are_all_recovered() -> None:
    weights = np.array([9.0, 6.0, 3.0, 2.0, 1.0])
    answered = [(0, 1), (0, 4), (1, 2), (2, 3), (3, 4), (1, 3)]
    completion = complete(5, {(i, j): weights[i] / weights[j] for i, j in answered})

    assert completion.filled == ((0, 2), (0, 3), (1, 4), (2, 4))
    assert np.allclose(completion.matrix, np.outer(weights, 1 / weights), rtol=1e-12)


@pytest.mark.parametrize(("n", "judgements"), incomplete_cases(12))
def test_the_completion_minimises_lambda_max_and_agrees_with_ahpy(n, judgements) -> None:
    completion = complete(n, judgements)
    best = lambda_max(completion.matrix)
    peer = ahpy_compare(judgements)

    for i, j in completion.filled:
        for factor in (np.exp(1e-3), np.exp(-1e-3)):
            nudged = completion.matrix.copy()
            nudged[i, j] *= factor
            nudged[j, i] /= factor
            assert lambda_max(nudged) > best
        assert completion.matrix[i, j] == pytest.approx(ahpy_filled(peer, i, j), rel=1e-3)
    weights = ahp_weights(completion.matrix.tolist(), "donegan_dodd_1991")
    assert weights.weights == pytest.approx(
        [peer.local_weights[f"e{k}"] for k in range(n)], abs=1e-4
    )
    assert weights.consistency_ratio == pytest.approx(peer.consistency_ratio, abs=1e-6)


@pytest.mark.parametrize(("n", "judgements"), incomplete_cases(12))
def test_answered_judgements_are_kept_and_the_result_is_positive_reciprocal(n, judgements) -> None:
    matrix = complete(n, judgements).matrix

    for (i, j), value in judgements.items():
        assert matrix[i, j] == value
    assert np.all(matrix > 0)
    assert np.allclose(matrix * matrix.T, 1.0, rtol=1e-12)
    assert ahp_weights(matrix.tolist(), "alonso_lamata_2006").n == n


def test_a_complete_matrix_is_returned_as_written() -> None:
    judgements = {(0, 1): 3.0, (0, 2): 5.0, (1, 2): 0.5}

    completion = complete(3, judgements)

    assert completion.method == "none"
    assert completion.filled == ()
    assert completion.matrix.tolist() == [[1, 3, 5], [1 / 3, 1, 0.5], [1 / 5, 2, 1]]


def test_one_and_two_children_need_no_completion() -> None:
    one = complete(1, {})
    two = complete(2, {(0, 1): 7})

    assert one.matrix.tolist() == [[1.0]] and one.method == "none"
    assert two.matrix.tolist() == [[1, 7], [1 / 7, 1]] and two.filled == ()


def test_unconnected_answers_raise_naming_the_components() -> None:
    with pytest.raises(UnconnectedComparisonsError) as raised:
        complete(4, {(0, 1): 3, (2, 3): 5})

    assert raised.value.components == [[0, 1], [2, 3]]
    assert isinstance(raised.value, ValueError)
    assert "{0, 1}; {2, 3}" in str(raised.value)


@pytest.mark.parametrize(
    ("n", "judgements", "components"),
    [
        (2, {}, [[0], [1]]),
        (3, {(0, 2): 2}, [[0, 2], [1]]),
        (5, {(1, 4): 2, (0, 3): 3, (3, 4): 1}, [[0, 1, 3, 4], [2]]),
    ],
)
def test_every_component_is_listed_sorted(n, judgements, components) -> None:
    with pytest.raises(UnconnectedComparisonsError) as raised:
        complete(n, judgements)

    assert raised.value.components == components


@pytest.mark.parametrize(
    ("n", "judgements", "message"),
    [
        (4, {(1, 0): 3}, r"pair \(1, 0\) is not \(i, j\)"),
        (4, {(2, 2): 1}, r"pair \(2, 2\)"),
        (4, {(0, 4): 3}, r"pair \(0, 4\)"),
        (4, {(-1, 2): 3}, r"pair \(-1, 2\)"),
        (3, {(0, 1): 0, (1, 2): 1}, r"judgement 0 for pair \(0, 1\)"),
        (3, {(0, 1): float("nan"), (1, 2): 1}, "not a positive number"),
        (0, {}, "at least one child"),
    ],
)
def test_pairs_out_of_range_or_out_of_order_and_bad_values_are_refused(
    n, judgements, message
) -> None:
    with pytest.raises(ValueError, match=message):
        complete(n, judgements)

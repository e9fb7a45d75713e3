"""AHP weights and consistency: published examples, a peer implementation (ahpy), and errors."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import ahpy
import numpy as np
import pytest

from suanli.index.ahp import (
    CR_THRESHOLD,
    DEFAULT_RANDOM_INDEX_CSV,
    AhpMatrixError,
    aggregate_judgements,
    ahp_weights,
    load_random_index_tables,
    parse_judgement,
)

# Saaty (1980), relative drink consumption in the US: coffee, wine, tea, beer, sodas, milk, water.
DRINKS = [
    [1, 9, 5, 2, 1, 1, "1/2"],
    ["1/9", 1, "1/3", "1/9", "1/9", "1/9", "1/9"],
    ["1/5", 3, 1, "1/3", "1/4", "1/3", "1/9"],
    ["1/2", 9, 3, 1, "1/2", 1, "1/3"],
    [1, 9, 4, 2, 1, 2, "1/2"],
    [1, 9, 3, 1, "1/2", 1, "1/3"],
    [2, 9, 9, 3, 2, 3, 1],
]
DRINKS_WEIGHTS = (0.1775, 0.0191, 0.0418, 0.1164, 0.1896, 0.1288, 0.3268)
DRINKS_LAMBDA_MAX = 7.1766

# Wikipedia, "Analytic hierarchy process – leader example": Experience, Education, Charisma, Age.
LEADER = [
    [1, 4, 3, 7],
    ["1/4", 1, "1/3", 3],
    ["1/3", 3, 1, 5],
    ["1/7", "1/3", "1/5", 1],
]
LEADER_WEIGHTS = (0.547, 0.127, 0.270, 0.056)
LEADER_CR = 0.044

SAATY_SCALE = [1 / k for k in range(9, 1, -1)] + list(range(1, 10))
# ahpy's random_index="saaty" is Saaty (2005, ANP book, p. 31), not the 1980 table we default
# to, so against it we compare CR re-based on these RIs (copied from ahpy 2.1).
AHPY_SAATY_2005_RI = {3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45}


def random_reciprocal(rng: np.random.Generator, n: int) -> np.ndarray:
    matrix = np.ones((n, n))
    for i, j in itertools.combinations(range(n), 2):
        matrix[i, j] = rng.choice(SAATY_SCALE)
        matrix[j, i] = 1 / matrix[i, j]
    return matrix


def from_weights(weights: list[float]) -> list[list[float]]:
    return [[wi / wj for wj in weights] for wi in weights]


def ahpy_compare(matrix: np.ndarray, random_index: str) -> tuple[list[float], float]:
    """Weights (in row order) and CR from ahpy, given the upper triangle as pairs."""
    n = matrix.shape[0]
    # ahpy orders elements by first appearance in the keys and fills (j, i) with 1/value.
    pairs = {(f"e{i}", f"e{j}"): matrix[i, j] for i, j in itertools.combinations(range(n), 2)}
    # ahpy rounds weights and CR to `precision` decimals; 10 keeps rounding out of the comparison.
    compare = ahpy.Compare("peer", pairs, precision=10, random_index=random_index)
    return [compare.local_weights[f"e{i}"] for i in range(n)], float(compare.consistency_ratio)


_rng = np.random.default_rng(20_240_601)
PEER_CASES = [random_reciprocal(_rng, int(_rng.integers(3, 10))) for _ in range(60)]


# --- published examples -------------------------------------------------------------------------


def test_saaty_drinks_matrix_gives_the_published_weights_and_lambda_max() -> None:
    result = ahp_weights(DRINKS)

    assert tuple(round(w, 4) for w in result.weights) == DRINKS_WEIGHTS
    assert result.lambda_max == pytest.approx(DRINKS_LAMBDA_MAX, abs=1e-3)
    assert result.consistency_index == pytest.approx((result.lambda_max - 7) / 6)
    assert result.random_index == 1.32
    assert result.consistency_ratio == pytest.approx(result.consistency_index / 1.32)
    assert result.is_consistent


def test_wikipedia_leader_criteria_give_the_published_weights_and_cr() -> None:
    result = ahp_weights(LEADER)

    # Wikipedia rounds to 3 decimals and shows Experience (0.54757) as .547 so that the four
    # sum to 1.000; ±0.0006 admits exactly that adjustment.
    assert sum(LEADER_WEIGHTS) == pytest.approx(1.0)
    assert result.weights == pytest.approx(LEADER_WEIGHTS, abs=6e-4)
    assert round(result.consistency_ratio, 3) == LEADER_CR
    assert result.is_consistent


# --- properties ---------------------------------------------------------------------------------


def test_a_consistent_matrix_returns_the_weights_it_was_built_from() -> None:
    weights = [0.35, 0.25, 0.2, 0.12, 0.08]

    result = ahp_weights(from_weights(weights))

    assert result.weights == pytest.approx(weights, rel=1e-9)
    assert result.lambda_max == pytest.approx(5, rel=1e-9)
    assert result.consistency_ratio == pytest.approx(0, abs=1e-9)
    assert result.is_consistent


def test_weights_are_positive_and_sum_to_one() -> None:
    for matrix in PEER_CASES[:10]:
        result = ahp_weights(matrix.tolist())
        assert all(w > 0 for w in result.weights)
        assert math.fsum(result.weights) == pytest.approx(1.0, abs=1e-12)
        assert result.n == len(matrix)


def test_an_inconsistent_matrix_is_flagged() -> None:
    # A prefers B strongly, B prefers C strongly, yet C prefers A strongly: a cycle.
    result = ahp_weights([[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]])

    assert CR_THRESHOLD == 0.10
    assert result.consistency_ratio >= CR_THRESHOLD
    assert not result.is_consistent


@pytest.mark.parametrize(
    ("matrix", "weights"),
    [([[1]], (1.0,)), ([[1, 9], ["1/9", 1]], (0.9, 0.1)), ([[1, "1/4"], [4, 1]], (0.2, 0.8))],
)
def test_one_and_two_element_matrices_are_always_consistent(matrix, weights) -> None:
    result = ahp_weights(matrix)

    assert result.weights == pytest.approx(weights)
    assert result.consistency_index == 0
    assert result.consistency_ratio == 0
    assert result.random_index == 0
    assert result.is_consistent


def test_the_chosen_random_index_table_is_used_and_recorded() -> None:
    result = ahp_weights(LEADER, "alonso_lamata_2006")

    assert result.random_index_table == "alonso_lamata_2006"
    assert result.random_index == 0.8815
    assert result.consistency_ratio == pytest.approx(result.consistency_index / 0.8815)


# --- peer comparison with ahpy --------------------------------------------------------------------


@pytest.mark.parametrize(
    "matrix", PEER_CASES, ids=[f"n{len(m)}-{k}" for k, m in enumerate(PEER_CASES)]
)
def test_agrees_with_ahpy_on_random_matrices(matrix: np.ndarray) -> None:
    n = len(matrix)
    ours = ahp_weights(matrix.tolist())
    ours_dd = ahp_weights(matrix.tolist(), "donegan_dodd_1991")

    peer_weights, peer_cr = ahpy_compare(matrix, "saaty")
    _, peer_cr_dd = ahpy_compare(matrix, "dd")

    assert ours.weights == pytest.approx(peer_weights, abs=1e-4)
    assert ours.consistency_index / AHPY_SAATY_2005_RI[n] == pytest.approx(peer_cr, abs=1e-3)
    assert ours_dd.weights == ours.weights
    assert ours_dd.consistency_ratio == pytest.approx(peer_cr_dd, abs=1e-3)


def test_peer_cases_span_sizes_three_to_nine() -> None:
    assert {len(matrix) for matrix in PEER_CASES} == set(range(3, 10))


@pytest.mark.parametrize(
    "n", sorted(n for n in load_random_index_tables()["donegan_dodd_1991"] if n > 2)
)
def test_donegan_dodd_table_is_ahpys_for_every_size_it_covers(n: int) -> None:
    matrix = random_reciprocal(np.random.default_rng(n), n)
    result = ahp_weights(matrix.tolist(), "donegan_dodd_1991")

    _, peer_cr = ahpy_compare(matrix, "dd")

    # CI / CR recovers the RI ahpy used, far more precisely than the table's 4 decimals.
    assert result.consistency_index / peer_cr == pytest.approx(result.random_index, abs=1e-6)


# --- errors -------------------------------------------------------------------------------------


def test_a_non_reciprocal_matrix_is_rejected_naming_row_and_column() -> None:
    matrix = [[1, 3, 1], ["1/3", 1, 2], [1, "1/3", 1]]

    with pytest.raises(AhpMatrixError, match="not reciprocal") as raised:
        ahp_weights(matrix)

    assert "row 2, column 3 is 2" in str(raised.value)
    assert "row 3, column 2 is 0.333333" in str(raised.value)


def test_reciprocity_allows_rounding_only_within_one_in_a_million() -> None:
    assert ahp_weights([[1, 3], [1 / 3 + 1e-9, 1]]).n == 2
    with pytest.raises(AhpMatrixError, match="row 1, column 2"):
        ahp_weights([[1, 3], [0.333, 1]])


@pytest.mark.parametrize(
    "matrix",
    [
        [[1, 2], ["1/2", 1], [1, 1]],
        [[1, 2, 3], ["1/2", 1], ["1/3", 1, 1]],
        [[1, 2]],
        ["12", "21"],
        [],
    ],
    ids=["tall", "ragged", "wide", "strings-as-rows", "empty"],
)
def test_a_non_square_matrix_is_rejected(matrix) -> None:
    with pytest.raises(AhpMatrixError, match=r"not square|empty|not a list"):
        ahp_weights(matrix)


@pytest.mark.parametrize("bad", [0, -3, "0", "-1/3", 0.0])
def test_a_non_positive_entry_is_rejected_naming_its_cell(bad) -> None:
    with pytest.raises(AhpMatrixError, match=r"row 1, column 2: judgement .* is not a positive"):
        ahp_weights([[1, bad], [1, 1]])


def test_a_non_numeric_entry_is_rejected_naming_the_value() -> None:
    with pytest.raises(AhpMatrixError, match=r"row 2, column 1: judgement 'abc'"):
        ahp_weights([[1, 2], ["abc", 1]])


def test_a_diagonal_other_than_one_is_rejected() -> None:
    with pytest.raises(AhpMatrixError, match="row 2, column 2: diagonal is 2"):
        ahp_weights([[1, 2], ["1/2", 2]])


def test_a_matrix_larger_than_the_random_index_table_is_rejected() -> None:
    eleven = from_weights([float(k) for k in range(1, 12)])
    sixteen = from_weights([float(k) for k in range(1, 17)])

    with pytest.raises(AhpMatrixError, match=r"'saaty_1980' has no RI for n = 11"):
        ahp_weights(eleven)
    assert ahp_weights(eleven, "alonso_lamata_2006").n == 11
    with pytest.raises(AhpMatrixError, match=r"'alonso_lamata_2006' has no RI for n = 16"):
        ahp_weights(sixteen, "alonso_lamata_2006")


def test_an_unknown_random_index_table_is_rejected() -> None:
    with pytest.raises(AhpMatrixError, match="unknown random-index table 'saaty'"):
        ahp_weights(LEADER, "saaty")


# --- parse_judgement ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3.0), (0.5, 0.5), ("3", 3.0), ("1/3", 1 / 3), (" 1 / 9 ", 1 / 9), ("0.25", 0.25)],
)
def test_parse_judgement_accepts_numbers_and_fractions(value, expected) -> None:
    assert parse_judgement(value) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "value", ["abc", "", "1/0", "1/", "/3", "1/3/9", "0", -2, "nan", "inf", True, None, [1]]
)
def test_parse_judgement_rejects_anything_else_naming_it(value) -> None:
    with pytest.raises(AhpMatrixError) as raised:
        parse_judgement(value)

    assert repr(value) in str(raised.value)


# --- aggregation ----------------------------------------------------------------------------------


def test_aggregating_two_experts_is_the_elementwise_geometric_mean_and_reciprocal() -> None:
    expert_a = [[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]]
    expert_b = [[1, 5, 3], ["1/5", 1, "1/4"], ["1/3", 4, 1]]

    group = aggregate_judgements([expert_a, expert_b])

    a, b = (
        np.array([[parse_judgement(v) for v in row] for row in m]) for m in (expert_a, expert_b)
    )
    assert np.allclose(group, np.sqrt(a * b), rtol=1e-12)
    for i, j in itertools.product(range(3), repeat=2):
        assert group[i][j] * group[j][i] == pytest.approx(1.0, rel=1e-12)
    assert ahp_weights(group).n == 3


@pytest.mark.parametrize("seed", range(20))
def test_the_geometric_mean_of_reciprocal_matrices_is_reciprocal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, experts = int(rng.integers(3, 10)), int(rng.integers(2, 7))
    matrices = [random_reciprocal(rng, n).tolist() for _ in range(experts)]
    weights = rng.uniform(0.1, 5.0, experts).tolist()

    for group in (aggregate_judgements(matrices), aggregate_judgements(matrices, weights)):
        values = np.array(group)
        assert np.allclose(values * values.T, 1.0, rtol=1e-12)
        assert np.allclose(np.diag(values), 1.0, rtol=1e-12)
        assert ahp_weights(group).n == n  # and so passes the reciprocity check of the weighing


def test_aij_of_two_experts_matches_the_hand_computed_example() -> None:
    # Expert A: x1 = 2·x2 = 4·x3, weights (4, 2, 1)/7; expert B: x1 = 8·x2 = 4·x3,
    # weights (8, 1, 2)/11. Cell by cell: √(2·8) = 4, √(4·4) = 4, √(2·½) = 1, so the group
    # matrix says x1 = 4·x2 = 4·x3: weights (4, 1, 1)/6 — not the mean of the experts'
    # weights (AIP), which would give 0.6494, 0.1883, 0.1623.
    expert_a = [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]
    expert_b = [[1, 8, 4], ["1/8", 1, "1/2"], ["1/4", 2, 1]]

    group = aggregate_judgements([expert_a, expert_b])
    result = ahp_weights(group)

    assert np.allclose(group, [[1, 4, 4], [1 / 4, 1, 1], [1 / 4, 1, 1]], rtol=1e-12)
    assert result.weights == pytest.approx((4 / 6, 1 / 6, 1 / 6), rel=1e-9)
    assert result.lambda_max == pytest.approx(3.0, rel=1e-9)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert ahp_weights(expert_a).weights == pytest.approx((4 / 7, 2 / 7, 1 / 7), rel=1e-9)
    assert ahp_weights(expert_b).weights == pytest.approx((8 / 11, 1 / 11, 2 / 11), rel=1e-9)


def test_expert_weights_give_the_weighted_geometric_mean() -> None:
    expert_a = [[1, 2], ["1/2", 1]]
    expert_b = [[1, 8], ["1/8", 1]]

    # weights 3 : 1 → 2^0.75 · 8^0.25 = 2^1.5; equal weights → 2^2 = 4
    assert aggregate_judgements([expert_a, expert_b], [3, 1])[0][1] == pytest.approx(2**1.5)
    assert aggregate_judgements([expert_a, expert_b], [0.5, 0.5])[0][1] == pytest.approx(4.0)
    assert aggregate_judgements([expert_a, expert_b])[0][1] == pytest.approx(4.0)


@pytest.mark.parametrize("weights", [[1], [1, 0], [1, -2], [1, float("nan")], [1, "2"], [1, True]])
def test_expert_weights_must_be_one_positive_number_per_matrix(weights) -> None:
    with pytest.raises(AhpMatrixError, match="expert weights"):
        aggregate_judgements([LEADER, LEADER], weights)


def test_aggregating_a_single_expert_returns_their_matrix() -> None:
    assert np.allclose(
        aggregate_judgements([LEADER]), [[parse_judgement(v) for v in r] for r in LEADER]
    )


def test_aggregation_rejects_mixed_sizes_and_names_a_bad_matrix() -> None:
    with pytest.raises(AhpMatrixError, match=r"differ in size \(4, 2\)"):
        aggregate_judgements([LEADER, [[1, 2], ["1/2", 1]]])
    with pytest.raises(AhpMatrixError, match="matrix 2: matrix is not reciprocal"):
        aggregate_judgements([LEADER, [[1, 2], [2, 1]]])
    with pytest.raises(AhpMatrixError, match="no matrices"):
        aggregate_judgements([])


# --- random-index tables ------------------------------------------------------------------------


def test_the_shipped_random_index_tables() -> None:
    tables = load_random_index_tables()

    assert set(tables) == {"saaty_1980", "alonso_lamata_2006", "donegan_dodd_1991"}
    assert list(tables["saaty_1980"].values()) == [
        0,
        0,
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
    ]
    assert sorted(tables["alonso_lamata_2006"]) == list(range(1, 16))
    assert tables["alonso_lamata_2006"][15] == 1.5838
    assert max(tables["donegan_dodd_1991"]) == 100
    assert b"\r" not in DEFAULT_RANDOM_INDEX_CSV.read_bytes()


def test_the_default_tables_cannot_be_corrupted_by_a_caller() -> None:
    load_random_index_tables()["saaty_1980"][3] = 99.0

    assert load_random_index_tables()["saaty_1980"][3] == 0.58
    assert ahp_weights(LEADER).random_index == 0.90


def test_tables_load_from_another_path(tmp_path: Path) -> None:
    csv_path = tmp_path / "ri.csv"
    csv_path.write_text("table_code,n,random_index,source\nmine,3,0.5,me\n", encoding="utf-8")

    assert load_random_index_tables(csv_path) == {"mine": {3: 0.5}}

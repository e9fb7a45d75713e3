"""Consistency feedback: the judgement to revise, the value to revise it to, and the sentence."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from suanli.index.ahp import CR_THRESHOLD, ahp_weights
from suanli.index.panel.completion import UnconnectedComparisonsError, complete
from suanli.index.panel.feedback import Revision, describe, suggest_revision
from suanli.index.panel.scale import SCALE_VALUES

NAMES = ["在用标准机架数", "上架率", "PUE", "算力规模"]
# Consistent: weights 1 : 3 : 9 : 3, so a_01 = 1/3, a_02 = 1/9, a_03 = 1/3, a_12 = 1/3, …
CONSISTENT = {
    (i, j): [1, 3, 9, 3][i] / [1, 3, 9, 3][j] for i, j in itertools.combinations(range(4), 2)
}
# The expert wrote 9 where 1/3 belongs.
CORRUPTED = {**CONSISTENT, (0, 1): 9.0}


def cr(n: int, judgements: dict, table: str = "saaty_1980") -> float:
    return ahp_weights(complete(n, judgements).matrix.tolist(), table).consistency_ratio


def random_judgements(seed: int, n: int, blanks: int = 0) -> dict[tuple[int, int], float]:
    rng = np.random.default_rng(seed)
    pairs = list(itertools.combinations(range(n), 2))
    judgements = {pair: float(rng.choice(SCALE_VALUES)) for pair in pairs}
    for k in rng.choice(len(pairs), size=blanks, replace=False):
        del judgements[pairs[k]]
    return judgements


def test_the_corrupted_judgement_is_named_and_a_value_that_fixes_it_suggested() -> None:
    assert cr(4, CONSISTENT) == pytest.approx(0.0, abs=1e-12)
    assert cr(4, CORRUPTED) >= CR_THRESHOLD

    revision = suggest_revision(4, CORRUPTED)

    assert revision.pair == (0, 1)
    assert revision.written == 9.0
    assert revision.current_cr == pytest.approx(cr(4, CORRUPTED), rel=1e-12)
    assert revision.suggested == 1.0
    assert revision.suggested_cr == pytest.approx(cr(4, {**CORRUPTED, (0, 1): 1.0}), rel=1e-9)
    assert revision.suggested_cr < CR_THRESHOLD
    assert revision.best_value == pytest.approx(1 / 3)
    assert revision.best_cr == pytest.approx(0.0, abs=1e-9)


def test_no_scale_value_nearer_to_what_was_written_brings_cr_under_the_threshold() -> None:
    # 8, 7, … 2 lie between the written 9 and the suggested 1.
    for value in range(2, 9):
        assert cr(4, {**CORRUPTED, (0, 1): float(value)}) >= CR_THRESHOLD


def test_the_feedback_reads_as_a_sentence_with_the_childrens_names() -> None:
    assert (
        describe(suggest_revision(4, CORRUPTED), NAMES)
        == "在用标准机架数 vs 上架率: you wrote 9; 1 gives CR 0.06"
    )


def test_blanks_are_completed_again_for_every_candidate_value() -> None:
    judgements = {pair: value for pair, value in CORRUPTED.items() if pair != (1, 3)}

    revision = suggest_revision(4, judgements)

    assert revision.pair == (0, 1)
    assert revision.current_cr == pytest.approx(cr(4, judgements), rel=1e-12)
    assert revision.suggested_cr == pytest.approx(
        cr(4, {**judgements, (0, 1): revision.suggested}), rel=1e-9
    )
    assert revision.suggested_cr < CR_THRESHOLD


@pytest.mark.parametrize(("seed", "n", "blanks"), [(1, 5, 0), (2, 6, 0), (3, 5, 2), (4, 6, 3)])
def test_the_pair_chosen_has_the_lowest_cr_any_single_change_reaches(seed, n, blanks) -> None:
    judgements = random_judgements(seed, n, blanks)

    revision = suggest_revision(n, judgements, "alonso_lamata_2006")

    lowest = {
        pair: min(cr(n, {**judgements, pair: v}, "alonso_lamata_2006") for v in SCALE_VALUES)
        for pair in judgements
    }
    assert revision.best_cr == pytest.approx(min(lowest.values()), abs=1e-9)
    assert revision.best_cr == pytest.approx(lowest[revision.pair], abs=1e-9)
    assert revision.current_cr == pytest.approx(cr(n, judgements, "alonso_lamata_2006"))


def test_when_no_single_value_suffices_the_best_one_is_reported_instead() -> None:
    judgements = random_judgements(3, 9)

    revision = suggest_revision(9, judgements)

    assert revision.suggested is None and revision.suggested_cr is None
    candidates = [cr(9, {**judgements, revision.pair: v}) for v in SCALE_VALUES]
    assert min(candidates) >= CR_THRESHOLD
    assert revision.best_cr == pytest.approx(min(candidates), rel=1e-9)
    assert revision.best_value == SCALE_VALUES[int(np.argmin(candidates))]
    names = [f"c{k}" for k in range(9)]
    assert re.fullmatch(
        r"c\d vs c\d: you wrote \S+; no single value brings CR under 0\.10 "
        r"\(the best, \S+, gives CR 0\.\d\d\): revise this judgement first",
        describe(revision, names),
    )


def test_the_no_remedy_sentence_names_the_best_value_and_its_cr() -> None:
    revision = Revision(
        pair=(0, 1),
        written=7.0,
        suggested=None,
        suggested_cr=None,
        best_value=0.5,
        best_cr=0.1449,
        current_cr=0.31,
    )

    assert describe(revision, NAMES) == (
        "在用标准机架数 vs 上架率: you wrote 7; no single value brings CR under 0.10 "
        "(the best, 1/2, gives CR 0.14): revise this judgement first"
    )


def test_a_stricter_threshold_asks_for_a_value_closer_to_consistency() -> None:
    revision = suggest_revision(4, CORRUPTED, threshold=0.01)

    assert revision.suggested == 0.5
    assert revision.suggested_cr < 0.01
    assert cr(4, {**CORRUPTED, (0, 1): 1.0}) >= 0.01


def test_equally_good_pairs_are_broken_by_order() -> None:
    # A cycle 0 > 1 > 2 > 0, each by 9: every pair is equally to blame.
    cycle = {(0, 1): 9.0, (1, 2): 9.0, (0, 2): 1 / 9}

    assert suggest_revision(3, cycle).pair == (0, 1)


def test_a_node_that_cannot_be_completed_or_has_no_answers_is_refused() -> None:
    with pytest.raises(UnconnectedComparisonsError):
        suggest_revision(4, {(0, 1): 3, (2, 3): 5})
    with pytest.raises(ValueError, match="no judgement"):
        suggest_revision(1, {})

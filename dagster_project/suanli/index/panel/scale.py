"""Saaty's 1–9 scale: what an answer cell of a questionnaire may say and what it means.

An answer says how much more important the pair's first element (A) is than its second (B).
Accepted spellings, after Unicode NFKC (so full-width ３ and ／ count) and trimming:

| written | meaning |
|---|---|
| `1` … `9` (also `3.0`, or the number 3 as Excel stores it) | A is that much more important |
| `1/2` … `1/9` | B is that much more important (the reciprocal) |
| a decimal within 0.005 of 1/k: `0.5`, `0.33`, `0.333`, `0.25`, `0.2`, `0.17`, … `0.11` | 1/k |
| empty | not answered: the comparison is left out and completed (`suanli.index.panel.completion`) |

Anything else is refused: 2.5 and 0.3 lie between the scale's values, 0 and negatives have no
meaning, and `3/1` or `1:3` are spellings no questionnaire offers. The tolerance 0.005 takes the
two-decimal roundings of every reciprocal and no two of them overlap (1/8 and 1/9 are 0.014 apart).
"""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction
from numbers import Real

# The 17 answers a questionnaire offers, strongest A first: the data-validation list.
SCALE_TEXTS: tuple[str, ...] = (
    *(str(k) for k in range(9, 1, -1)),
    "1",
    *(f"1/{k}" for k in range(2, 10)),
)
SCALE_VALUES: tuple[float, ...] = tuple(float(Fraction(text)) for text in SCALE_TEXTS)
RECIPROCAL_TOLERANCE = 0.005
EXPECTED = "one of Saaty's scale: 9, 8, … 2, 1, 1/2, … 1/9 (or a decimal such as 0.33 for 1/3)"

# Verbal meaning of the odd values (the even ones lie between their neighbours), 中文 and English.
MEANINGS: dict[int, tuple[str, str]] = {
    1: ("同等重要", "Equal importance"),
    3: ("稍微重要", "Moderate importance"),
    5: ("明显重要", "Strong importance"),
    7: ("强烈重要", "Very strong importance"),
    9: ("极端重要", "Extreme importance"),
}
INTERMEDIATE = ("相邻判断的中间值", "Intermediate between the neighbouring values")

_FRACTION = re.compile(r"1\s*/\s*([1-9])")


class ScaleError(ValueError):
    """An answer that is not on the scale; `expected` says what would be."""

    expected = EXPECTED


def parse_answer(value: object) -> float | None:
    """The judgement an answer cell means, None when it is empty; ScaleError when off scale."""
    if value is None:
        return None
    if isinstance(value, Real) and not isinstance(value, bool):
        return _on_scale(float(value), value)
    if not isinstance(value, str):
        raise ScaleError(f"{value!r} is not an answer")
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    if match := _FRACTION.fullmatch(text):
        return 1.0 / int(match.group(1))
    try:
        number = float(text)
    except ValueError:
        raise ScaleError(f"{value!r} is not an answer") from None
    return _on_scale(number, value)


def _on_scale(number: float, written: object) -> float:
    if not math.isfinite(number) or number <= 0:
        raise ScaleError(f"{written!r} is not on the scale")
    if number >= 1:
        if number.is_integer() and number <= 9:
            return number
        raise ScaleError(f"{written!r} is not on the scale")
    for k in range(2, 10):
        if abs(number - 1.0 / k) <= RECIPROCAL_TOLERANCE:
            return 1.0 / k
    raise ScaleError(f"{written!r} is not on the scale")


def format_judgement(value: float) -> str:
    """A scale value as the questionnaire writes it: 7, 1, 1/3; off-scale values to 3 decimals
    (a completed judgement may lie anywhere)."""
    for text, scale_value in zip(SCALE_TEXTS, SCALE_VALUES, strict=True):
        if math.isclose(value, scale_value, rel_tol=1e-9):
            return text
    return f"{value:.3g}" if value >= 1 else f"1/{1 / value:.3g}"

"""Reading one cell as agencies write it: numbers, no-data markers, years, `name (unit)` labels."""

from __future__ import annotations

import re
import unicodedata

# Written as delivered; compared after NFKC (so full-width － ／ … match their ASCII forms).
NO_DATA_MARKERS = ("", "—", "——", "–", "-", "…", "...", "－", "/", "NA", "无数据")
NO_DATA_DESCRIPTION = "empty, —, –, -, …, ..., －, /, NA, 无数据"

_NO_DATA = {unicodedata.normalize("NFKC", marker).casefold() for marker in NO_DATA_MARKERS}
# Thousands separators only in groups of three, so "12,3" is a typo, not 123.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+")
_YEAR = re.compile(r"(\d{4})\s*年?")
# `互联网宽带接入端口(万个)`, `软件业务收入 (亿元)`, `移动互联网用户（万户）`.
_LABEL_WITH_UNIT = re.compile(r"(?P<name>.*?)\s*[(（]\s*(?P<unit>[^()（）]*?)\s*[)）]\s*")


def normalise(text: str) -> str:
    """NFKC (full-width → ASCII), every whitespace removed, case folded: for matching names."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


def is_no_data(text: str | None) -> bool:
    if text is None:
        return True
    return unicodedata.normalize("NFKC", text).strip().casefold() in _NO_DATA


def parse_number(text: str | None) -> float | None:
    """The number a cell holds, or None (no-data marker or not a number: tell them apart with
    `is_no_data`)."""
    if text is None:
        return None
    candidate = unicodedata.normalize("NFKC", text).strip()
    if not _NUMBER.fullmatch(candidate):
        return None
    return float(candidate.replace(",", ""))


def parse_year(text: str | None) -> int | None:
    """`2024`, `2024年` (full-width digits too) → 2024; anything else → None."""
    if text is None:
        return None
    match = _YEAR.fullmatch(unicodedata.normalize("NFKC", text).strip())
    return int(match.group(1)) if match else None


def split_label(label: str) -> tuple[str, str | None]:
    """`地区生产总值 (亿元)` → (`地区生产总值`, `亿元`); a label without a unit → (label, None)."""
    text = label.strip()
    match = _LABEL_WITH_UNIT.fullmatch(text)
    if not match or not match.group("name"):
        return text, None
    return match.group("name").strip(), match.group("unit").strip()

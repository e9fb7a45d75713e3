"""The audit's uncertain choices as data: `seeds/reference/uncertainty.yml` (or the file
`SUANLI_UNCERTAINTY` names), defaults with per-system overrides."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import yaml

from suanli.index.robustness.steps import IMPUTATIONS, NORMALISATIONS
from suanli.index.robustness.uncertainty import Choices


class ChoicesError(ValueError):
    """An uncertainty file that cannot be used; the message names file, field and value."""


KNOWN = {field.name for field in fields(Choices)}


def _checked(path: Path, field: str, key: str, value: Any) -> Any:
    """One setting as Choices holds it, or a ChoicesError naming file, field and value."""

    def fail(expected: str) -> ChoicesError:
        return ChoicesError(f"{path}: {field} is {value!r}; expected {expected}")

    if key not in KNOWN:
        raise fail(f"one of {', '.join(sorted(KNOWN))}")
    if key in {"runs", "seed", "sobol_samples"}:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise fail("a positive integer")
        if key == "sobol_samples" and value & (value - 1):
            raise fail("a power of 2 (Saltelli's design)")
        return value
    if key in {"step_probability", "weight_noise"}:
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value < 1:
            raise fail("a number from 0 up to (not including) 1")
        return float(value)
    if key == "winsorise":
        if not isinstance(value, list) or not value or not all(v in (True, False) for v in value):
            raise fail("a non-empty list of true and false")
        return tuple(bool(v) for v in value)
    allowed = NORMALISATIONS if key == "normalisations" else IMPUTATIONS
    if not isinstance(value, list) or not value or not set(value) <= set(allowed):
        raise fail(f"a non-empty list of {', '.join(allowed)}")
    return tuple(value)


def _check(path: Path, where: str, raw: dict[str, Any]) -> dict[str, Any]:
    return {key: _checked(path, f"{where}{key}", key, value) for key, value in raw.items()}


def load_choices(path: Path) -> dict[str | None, Choices]:
    """Choices by system code; key None holds the defaults for systems not named."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    overrides = raw.pop("systems", None) or {}
    if not isinstance(overrides, dict):
        raise ChoicesError(f"{path}: systems must map system codes to choices")
    defaults = replace(Choices(), **_check(path, "", raw))
    by_system: dict[str | None, Choices] = {None: defaults}
    for system_code, override in overrides.items():
        by_system[system_code] = replace(
            defaults, **_check(path, f"systems.{system_code}.", override or {})
        )
    return by_system


def choices_for(by_system: dict[str | None, Choices], system_code: str) -> Choices:
    return by_system.get(system_code, by_system[None])

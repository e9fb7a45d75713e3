"""Reference tables the generator reads (provinces, their spellings) and small shared helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from suanli.intake.regions import read_seed


@dataclass(frozen=True)
class Province:
    code: str
    name_zh: str
    short: str
    name_en: str
    region: str
    hub_node: str
    other_spellings: tuple[str, ...]  # aliases besides the full, short and English names

    @property
    def is_hub(self) -> bool:
        return bool(self.hub_node)


def load_provinces(reference_dir: Path) -> list[Province]:
    """The provinces in seed order, read with the product's seed reader."""
    aliases = read_seed(reference_dir / "province_aliases.csv")
    provinces = []
    for row in read_seed(reference_dir / "provinces.csv"):
        standard = {row["name_zh"], row["short_name_zh"], row["name_en"]}
        others = tuple(
            a["alias"]
            for a in aliases
            if a["province_code"] == row["province_code"] and a["alias"] not in standard
        )
        provinces.append(
            Province(
                code=row["province_code"],
                name_zh=row["name_zh"],
                short=row["short_name_zh"],
                name_en=row["name_en"],
                region=row["region"],
                hub_node=row["hub_node"],
                other_spellings=others,
            )
        )
    return provinces


def allocate(total: int, weights: np.ndarray, minimum: np.ndarray | int = 0) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (largest remainder).

    Every element first gets its `minimum`; the rest follows the weights. Used wherever
    records must add up to a province target to the last unit.
    """
    weights = np.asarray(weights, dtype=float)
    floor_ = np.broadcast_to(np.asarray(minimum, dtype=np.int64), weights.shape).copy()
    rest = int(total) - int(floor_.sum())
    if rest < 0:
        raise ValueError(f"total {total} below the minimums {int(floor_.sum())}")
    if rest == 0:
        return floor_
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    raw = weights / weights.sum() * rest
    base = np.floor(raw).astype(np.int64)
    short = rest - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:short]] += 1
    return floor_ + base


def weighted_choice(rng: np.random.Generator, weights: np.ndarray | list[float]) -> int:
    p = np.asarray(weights, dtype=float)
    return int(rng.choice(len(p), p=p / p.sum()))


def fmt(value: float, decimals: int) -> str:
    """Fixed-decimal text without a negative zero."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text

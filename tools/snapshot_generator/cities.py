"""Place every centre in a real prefecture-level city, so all 302 hosting cities have centres.

The province profiles name the cities that carry most centres (hub clusters, capitals); this
step then moves a few small, long-established centres within their province into hosting cities
that would otherwise be empty. Moving a centre inside its province leaves every province
total unchanged, and the registry is calibrated to the published figures afterwards.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from suanli.reference.cities import short_name

# Opened by 2021, a centre is in production in every index year of the snapshot (2022-2025).
ESTABLISHED_BY = 2021


@dataclass(frozen=True)
class HostingCity:
    code: str
    name_zh: str
    stem: str
    province_code: str


def load_hosting_cities(reference_dir: Path) -> dict[str, list[HostingCity]]:
    by_province: dict[str, list[HostingCity]] = {}
    with (reference_dir / "cities.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["hosts_compute_centres"] != "true":
                continue
            city = HostingCity(
                code=row["city_code"],
                name_zh=row["name_zh"],
                stem=short_name(row["name_zh"]),
                province_code=row["province_code"],
            )
            by_province.setdefault(city.province_code, []).append(city)
    return by_province


def cover_hosting_cities(
    frame: pd.DataFrame,
    hosting: dict[str, list[HostingCity]],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Give every hosting city at least one centre in production in every index year."""
    frame = frame.copy()
    for province_code, cities in sorted(hosting.items()):
        for city in cities:
            in_province = frame["province_code"].eq(province_code)
            established = frame["first"].le(ESTABLISHED_BY)
            if (in_province & established & frame["city"].eq(city.name_zh)).any():
                continue
            counts = frame.loc[in_province, "city"].value_counts()
            donors = frame.index[in_province & frame["city"].map(counts).gt(1)]
            # the smallest centres of the best-stocked cities move: hubs keep their weight
            donor = min(donors, key=lambda i: (-counts[frame.at[i, "city"]], frame.at[i, "size"]))
            frame.loc[donor, ["city", "stem", "city_weight"]] = [city.name_zh, city.stem, 1.0]
            if frame.at[donor, "first"] > ESTABLISHED_BY:
                frame.at[donor, "first"] = int(rng.integers(2012, ESTABLISHED_BY + 1))
    return frame


# Share of registry rows that write a city's short name (张家口) or, where it has one, a
# pre-reform name still used by operators (莱芜市 for centres now in 济南市, 那曲地区).
SHORT_NAME_SHARE = 0.08
OLD_NAME_SHARE = 0.30


def load_old_names(reference_dir: Path) -> dict[str, list[str]]:
    """Today's name of every prefecture-level city -> the names it had before."""
    with (reference_dir / "cities.csv").open(encoding="utf-8", newline="") as handle:
        names = {row["city_code"]: row["name_zh"] for row in csv.DictReader(handle)}
    old: dict[str, list[str]] = {name: [] for name in names.values()}
    with (reference_dir / "city_renames.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            old[names[row["city_code"]]].append(row["old_name"])
    return old


def spell_cities(
    cities: pd.Series, old_names: dict[str, list[str]], rng: np.random.Generator
) -> list[str]:
    """Registry spellings; municipalities (not in `old_names`) keep their full name."""
    spelled = []
    for name, draw in zip(cities.tolist(), rng.random(len(cities)).tolist(), strict=True):
        if old_names.get(name) and draw < OLD_NAME_SHARE:
            spelled.append(old_names[name][int(rng.integers(len(old_names[name])))])
        elif name in old_names and draw > 1 - SHORT_NAME_SHARE and short_name(name) != name:
            spelled.append(short_name(name))
        else:
            spelled.append(name)
    return spelled

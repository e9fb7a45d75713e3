"""Year partitions: every year any index system covers (index systems are data), and the
years of source history a system needs before its first index year (`history_from`, e.g.
System C's six-year server-shipment sums reach back to 2016). History years have raw
deliveries and yearly indicator values but no index scores."""

from __future__ import annotations

from collections.abc import Mapping

from dagster import StaticPartitionsDefinition
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from suanli.index.systems import load_systems
from suanli.settings import index_systems_dir


def index_years() -> list[str]:
    years: set[int] = set()
    for system in load_systems(index_systems_dir()):
        years.update(system.years)
        if system.history_from is not None:
            years.update(range(system.history_from, min(system.years)))
    return [str(year) for year in sorted(years)]


year_partitions = StaticPartitionsDefinition(index_years())


def run_years(tags: Mapping[str, str], known: list[str]) -> list[int]:
    """The years a run covers: its partition or partition range (run tags), else every year."""
    if PARTITION_NAME_TAG in tags:
        chosen = [tags[PARTITION_NAME_TAG]]
    elif ASSET_PARTITION_RANGE_START_TAG in tags and ASSET_PARTITION_RANGE_END_TAG in tags:
        start = known.index(tags[ASSET_PARTITION_RANGE_START_TAG])
        end = known.index(tags[ASSET_PARTITION_RANGE_END_TAG])
        chosen = known[start : end + 1]
    else:
        chosen = known
    return sorted(int(key) for key in chosen)


class YearsError(ValueError):
    """Years on a command line that are not years of the partitions (the message names them)."""


def parse_years(tokens: list[str], known: list[str]) -> list[str]:
    """The years `--years` names: each token a year (`2025`) or an inclusive range
    (`2021-2024`); several tokens are a list of exactly those years, not a range between them."""
    chosen: set[str] = set()
    for token in tokens:
        first, dash, last = token.partition("-")
        if not (first.isdigit() and (not dash or last.isdigit())):
            raise YearsError(f"{token!r} is neither a year nor a range such as 2021-2024")
        low, high = (first, last) if dash else (first, first)
        if int(low) > int(high):
            raise YearsError(f"range {token!r} ends before it starts")
        outside = [year for year in dict.fromkeys((low, high)) if year not in known]
        if outside:
            raise YearsError(
                f"no partition for {', '.join(outside)}; known years: {known[0]}-{known[-1]}"
            )
        chosen.update(year for year in known if int(low) <= int(year) <= int(high))
    return [year for year in known if year in chosen]


def consecutive_blocks(years: list[str], known: list[str]) -> list[list[str]]:
    """`years` cut where the known partitions have a gap between them: a run covers a partition
    range, so `--years 2021 2024` is two runs (2021, then 2024), never 2021-2024."""
    blocks: list[list[str]] = []
    for year in years:
        if blocks and known.index(year) == known.index(blocks[-1][-1]) + 1:
            blocks[-1].append(year)
        else:
            blocks.append([year])
    return blocks

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

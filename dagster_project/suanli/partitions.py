"""Year partitions: every year any index system covers (index systems are data)."""

from __future__ import annotations

from dagster import StaticPartitionsDefinition

from suanli.index.definition import load_systems
from suanli.paths import index_systems_dir


def index_years() -> list[str]:
    years = {year for system in load_systems(index_systems_dir()) for year in system.years}
    return [str(year) for year in sorted(years)]


year_partitions = StaticPartitionsDefinition(index_years())

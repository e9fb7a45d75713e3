"""Which years a run covers: its partition or partition range, else every year."""

from __future__ import annotations

from suanli.index.partitions import run_years

KNOWN = [str(year) for year in range(2016, 2026)]


def test_a_range_covers_the_years_between_its_ends() -> None:
    tags = {
        "dagster/asset_partition_range_start": "2022",
        "dagster/asset_partition_range_end": "2024",
    }
    assert run_years(tags, KNOWN) == [2022, 2023, 2024]


def test_a_single_partition_is_one_year() -> None:
    assert run_years({"dagster/partition": "2025"}, KNOWN) == [2025]


def test_a_run_without_partitions_covers_every_year() -> None:
    assert run_years({"suanli/pid": "1"}, KNOWN) == list(range(2016, 2026))

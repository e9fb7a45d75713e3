"""Reading Dagster's records: which years a run covered."""

from __future__ import annotations

import pytest

from suanli.alerts.events import partition_label


@pytest.mark.parametrize(
    ("tags", "label"),
    [
        ({"dagster/partition": "2024"}, "2024"),
        (
            {
                "dagster/asset_partition_range_start": "2025",
                "dagster/asset_partition_range_end": "2025",
            },
            "2025",
        ),
        (
            {
                "dagster/asset_partition_range_start": "2022",
                "dagster/asset_partition_range_end": "2025",
            },
            "2022…2025",
        ),
        ({}, None),
    ],
    ids=["single-partition", "one-year-range", "range", "unpartitioned"],
)
def test_the_partition_label_comes_from_the_run_tags(tags: dict[str, str], label: str) -> None:
    assert partition_label(tags) == label

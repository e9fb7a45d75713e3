"""What a raw asset's year partition says: its own delivery in force and this run's load of
it; a year before the source's first says it holds nothing, and why."""

from __future__ import annotations

from suanli.intake.catalog import SourceSpec
from suanli.intake.delivery import LoadResult
from suanli.intake.provenance import ROW_COUNT, whole_metadata, year_metadata

SPEC = SourceSpec(
    "compute_centres", "registry", "compute_centres/compute_centres_{year}.csv", True,
    ("centre_id",), first_year=2022,
)  # fmt: skip
IN_FORCE = [
    {"partition": year, "file": f"compute_centres_{year}.csv", "sha256": f"sha-{year}",
     "rows": rows, "encoding": "utf-8", "received_at": "2026-01-01T00:00:00",
     "archived_path": f"archive/{year}"}
    for year, rows in (("2024", 2900), ("2025", 3100))
]  # fmt: skip
SLOTS = ["2024", "2025"]
RESULTS = [
    LoadResult("sha-2024", "compute_centres_2024.csv", 2900, "utf-8", "unchanged", "a/2024"),
    LoadResult("sha-2025", "compute_centres_2025.csv", 3100, "utf-8", "loaded", "a/2025"),
]


def test_a_year_shows_its_own_rows_file_and_provenance() -> None:
    metadata = year_metadata(SPEC, "2025", IN_FORCE, SLOTS, RESULTS)
    assert metadata[ROW_COUNT] == metadata["rows"] == 3100
    assert metadata["files"].value == ["compute_centres_2025.csv"]
    assert [d["sha256"] for d in metadata["in_force"].value] == ["sha-2025"]
    assert [(d["file"], d["status"]) for d in metadata["this_run"].value] == [
        ("compute_centres_2025.csv", "loaded")
    ]
    assert metadata["new_deliveries"] == 1 and metadata["quarantined"] == 0


def test_a_year_before_the_first_delivered_one_holds_nothing_and_says_why() -> None:
    metadata = year_metadata(SPEC, "2016", IN_FORCE, SLOTS, RESULTS)
    assert metadata[ROW_COUNT] == metadata["rows"] == 0
    assert metadata["files"].value == [] and metadata["in_force"].value == []
    assert "delivered from 2022" in metadata["note"]


def test_an_unpartitioned_source_shows_every_delivery_in_force() -> None:
    metadata = whole_metadata(IN_FORCE, SLOTS, RESULTS)
    assert metadata[ROW_COUNT] == 6000
    assert len(metadata["files"].value) == 2

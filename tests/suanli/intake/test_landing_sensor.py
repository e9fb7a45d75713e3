"""`landing_sensor` ticking over a real landing directory in a real (temporary) Dagster instance,
with the real raw assets, so every partition key and asset selection it asks for is checked
against the job; and the pure scan underneath it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DefaultSensorStatus,
    Definitions,
    ResourceDefinition,
    SensorDefinition,
    build_sensor_context,
    define_asset_job,
)

from suanli.intake.assets import build_raw_assets
from suanli.intake.catalog import SourceSpec, source_specs
from suanli.intake.landing import LandingResource, pattern_regex
from suanli.intake.sensor import (
    Change,
    Cursor,
    FileState,
    affected_selection,
    build_landing_sensor,
    file_state,
    match_file,
    plan_requests,
    scan,
    watches_directory,
)
from suanli.settings import REPO_ROOT, SNAPSHOT_DIR
from suanli.transform.assets import load_manifest

MANIFEST = load_manifest()
SPECS = source_specs(MANIFEST)
COPIED = [
    "compute_centres/compute_centres_2023.csv",
    "compute_centres/compute_centres_2024.csv",
    "network_stats/network_stats_2024.csv",
    "patents/patents.csv",
]


@pytest.fixture
def landing_dir(tmp_path: Path) -> Path:
    """Some of the snapshot's deliveries, as a publisher would have dropped them."""
    landing = tmp_path / "landing"
    for relative_path in COPIED:
        (landing / relative_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SNAPSHOT_DIR / relative_path, landing / relative_path)
    return landing


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    instance = DagsterInstance.from_config(str(home))
    yield instance
    instance.dispose()


@dataclass
class Ticks:
    """Ticks of one sensor, the cursor carried from one to the next as the daemon does."""

    sensor: SensorDefinition
    instance: DagsterInstance
    landing: LandingResource
    cursor: str | None = None
    skipped: list[str | None] = field(default_factory=list)

    def tick(self) -> list[tuple[str, str | None, list[AssetKey]]]:
        """(run_key, partition_key, asset_selection) of each run the tick asks for."""
        definitions = Definitions(
            assets=build_raw_assets(MANIFEST),
            jobs=[define_asset_job("materialize_all", selection=AssetSelection.all())],
            sensors=[self.sensor],
            # Nothing is run here; the raw assets only need their resource keys bound.
            resources={"landing": self.landing, "warehouse": ResourceDefinition.none_resource()},
        )
        context = build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            definitions=definitions,
            resources={"landing": self.landing},
        )
        result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor
        self.skipped.append(result.skip_message)
        return [
            (request.run_key, request.partition_key, list(request.asset_selection or []))
            for request in result.run_requests or []
        ]


def ticks(instance: DagsterInstance, landing: LandingResource, **settings: Any) -> Ticks:
    """Files count as settled at once unless `settle_seconds` says otherwise."""
    sensor = build_landing_sensor(SPECS, **{"settle_seconds": 0.0, **settings})
    return Ticks(sensor, instance, landing)


def rewrite(path: Path, content: bytes, mtime_ns: int | None = None) -> None:
    """Write `content`, making sure the mtime moves (coarse file-system clocks)."""
    before = path.stat()
    path.write_bytes(content)
    mtime_ns = mtime_ns or before.st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(mtime_ns, mtime_ns))


# --------------------------------------------------------------------------------- sensor


def test_first_tick_asks_for_one_run_per_file_then_nothing(
    landing_dir: Path, instance: DagsterInstance
) -> None:
    watch = ticks(instance, LandingResource(location=str(landing_dir)))
    runs = watch.tick()
    assert sorted((key.split(":")[1], partition) for key, partition, _ in runs) == [
        ("compute_centres", "2023"),
        ("compute_centres", "2024"),
        ("network_stats", "2024"),
        ("patents", None),
    ]
    # A delivery rebuilds and republishes everything downstream: the whole job for its year.
    assert all(selection == [] for _, _, selection in runs)
    assert watch.tick() == []
    assert watch.skipped[-1] == "no new or changed deliveries"


def test_a_changed_file_asks_for_one_run_for_its_source_and_year(
    landing_dir: Path, instance: DagsterInstance
) -> None:
    watch = ticks(instance, LandingResource(location=str(landing_dir)))
    first = {key for key, _, _ in watch.tick()}
    registry = landing_dir / "compute_centres" / "compute_centres_2024.csv"
    rewrite(registry, registry.read_bytes() + b"\n")
    [(run_key, partition, selection)] = watch.tick()
    assert (partition, selection) == ("2024", [])
    assert run_key.startswith("landing:compute_centres:2024:") and run_key not in first
    assert watch.tick() == []


def test_touching_a_file_without_changing_it_asks_for_nothing(
    landing_dir: Path, instance: DagsterInstance
) -> None:
    watch = ticks(instance, LandingResource(location=str(landing_dir)))
    watch.tick()
    registry = landing_dir / "compute_centres" / "compute_centres_2023.csv"
    rewrite(registry, registry.read_bytes())
    assert watch.tick() == []
    # The new mtime is remembered: the file is not hashed again on the next tick.
    entry = Cursor.loads(watch.cursor).files["compute_centres/compute_centres_2023.csv"]
    assert entry.mtime_ns == registry.stat().st_mtime_ns


def test_stray_files_are_logged_once_and_never_run(
    landing_dir: Path, instance: DagsterInstance, capsys: pytest.CaptureFixture[str]
) -> None:
    watch = ticks(instance, LandingResource(location=str(landing_dir)))
    watch.tick()
    (landing_dir / "readme.txt").write_text("not a delivery\n")
    (landing_dir / "patents" / "patents_old.csv").write_text("x\n")
    (landing_dir / "compute_centres" / "compute_centres_2031.csv").write_text("x\n")
    (landing_dir / "patents" / ".patents.csv.swp").write_text("x\n")  # an editor's, silent
    (landing_dir / "patents" / "patents.csv.part").write_text("x\n")  # an upload's, silent
    capsys.readouterr()
    assert watch.tick() == []
    # The sensor's log (the daemon keeps it with the tick) goes to stderr here.
    warned = [line for line in capsys.readouterr().err.splitlines() if " - WARNING - " in line]
    assert len(warned) == 3
    assert any("compute_centres_2031.csv: 2031 is not a year partition" in m for m in warned)
    assert any("readme.txt: matches the file pattern of no source" in m for m in warned)
    assert watch.tick() == []
    assert " - WARNING - " not in capsys.readouterr().err


def test_a_file_being_written_waits_for_the_next_tick(
    landing_dir: Path, instance: DagsterInstance
) -> None:
    watch = ticks(instance, LandingResource(location=str(landing_dir)), settle_seconds=60.0)
    old = 1_600_000_000 * 10**9  # the copied files: long settled
    for relative_path in COPIED:
        os.utime(landing_dir / relative_path, ns=(old, old))
    assert len(watch.tick()) == len(COPIED)
    registry = landing_dir / "compute_centres" / "compute_centres_2024.csv"
    registry.write_bytes(registry.read_bytes() + b"\n")  # modified just now
    assert watch.tick() == []
    os.utime(registry, ns=(old + 10**9, old + 10**9))
    [(_, partition, _)] = watch.tick()
    assert partition == "2024"


def test_a_lost_cursor_asks_again_with_the_same_run_keys(
    landing_dir: Path, instance: DagsterInstance
) -> None:
    """The daemon skips run keys it has launched: a delivery never runs twice."""
    watch = ticks(instance, LandingResource(location=str(landing_dir)))
    first = sorted(key for key, _, _ in watch.tick())
    watch.cursor = None
    assert sorted(key for key, _, _ in watch.tick()) == first


def test_a_directory_that_goes_away_and_comes_back_asks_for_nothing(
    landing_dir: Path, instance: DagsterInstance
) -> None:
    watch = ticks(instance, LandingResource(location=str(landing_dir)))
    watch.tick()
    away = landing_dir.with_name("unmounted")
    landing_dir.rename(away)
    assert watch.tick() == []
    away.rename(landing_dir)
    assert watch.tick() == []


def test_a_landing_at_a_url_is_not_watched(instance: DagsterInstance) -> None:
    watch = ticks(
        instance,
        LandingResource(location="https://bot:pw-SECRET-1@feed.example/suanli/?token=t-SECRET-2"),
    )
    assert watch.tick() == []
    assert watch.skipped[-1].startswith("the landing is a URL (https://feed.example/suanli/")
    assert "SECRET" not in watch.skipped[-1]


def test_sources_pulled_from_a_feed_are_left_out(
    landing_dir: Path, instance: DagsterInstance
) -> None:
    landing = LandingResource(
        location=str(landing_dir), locations={"patents": "https://feed.example/suanli/"}
    )
    runs = ticks(instance, landing).tick()
    assert "patents" not in {key.split(":")[1] for key, _, _ in runs}
    assert len(runs) == len(COPIED) - 1


def test_runs_by_default_only_when_something_lands_in_a_directory() -> None:
    assert watches_directory(SPECS, {})  # the bundled snapshot
    assert not watches_directory(SPECS, {"SUANLI_LANDING": "https://feed.example/"})
    mixed = {
        "SUANLI_LANDING": "https://feed.example/",
        "SUANLI_LANDING_LOCATIONS": '{"patents": "data/landing"}',
    }
    assert watches_directory(SPECS, mixed)
    sensor = build_landing_sensor(SPECS, default_status=DefaultSensorStatus.STOPPED)
    assert sensor.default_status == DefaultSensorStatus.STOPPED
    assert sensor.minimum_interval_seconds == 30 and sensor.name == "landing_sensor"


def test_the_selection_is_a_parameter(landing_dir: Path, instance: DagsterInstance) -> None:
    """The lead widens it to the raw asset's downstream: any function of (source, year)."""
    both = [AssetKey(["raw", "compute_centres"]), AssetKey(["raw", "network_stats"])]
    watch = ticks(
        instance, LandingResource(location=str(landing_dir)), selection=lambda source, year: both
    )
    runs = watch.tick()
    assert {tuple(selection) for _, partition, selection in runs if partition} == {tuple(both)}


# ---------------------------------------------------------------------------------- scan


def test_patterns_match_whole_paths_and_capture_the_year() -> None:
    regex = pattern_regex("compute_centres/compute_centres_{year}.csv")
    assert regex.fullmatch("compute_centres/compute_centres_2024.csv").group("year") == "2024"
    assert not regex.fullmatch("compute_centres/compute_centres_24.csv")
    assert not regex.fullmatch("x/compute_centres/compute_centres_2024.csv")
    spec, year = match_file("patents/patents.csv", SPECS)
    assert (spec.name, year) == ("patents", None)
    with pytest.raises(LookupError):
        match_file("patents/patents.csv.bak", SPECS)


def test_a_wildcard_pattern_takes_any_file_of_its_folder(tmp_path: Path) -> None:
    tables = SourceSpec(
        name="provincial_statistics",
        description="",
        file_pattern="provincial_statistics/*",
        partitioned_by_year=False,
        columns=(),
    )
    assert pattern_regex(tables.file_pattern).fullmatch("provincial_statistics/gdp 2024.xlsx")
    assert not pattern_regex(tables.file_pattern).fullmatch("provincial_statistics/a/b.csv")
    for name in ("gdp.xlsx", "power.csv"):
        (tmp_path / "provincial_statistics").mkdir(exist_ok=True)
        (tmp_path / "provincial_statistics" / name).write_text(name)
    found = scan(tmp_path, [*SPECS, tables], Cursor())
    assert [(change.source, change.year) for change in found.changes] == [
        ("provincial_statistics", None),
        ("provincial_statistics", None),
    ]
    # Both files of the one unpartitioned source: one run, keyed by both hashes.
    [request] = plan_requests(found.changes, "materialize_all", affected_selection)
    assert request.partition_key is None
    assert request.asset_selection is None
    # Statistics feed every year: one run over the whole year range.
    # (from 2016: System C's shipment history years are partitions too)
    assert request.tags["dagster/asset_partition_range_start"] == "2016"
    assert request.tags["dagster/asset_partition_range_end"] == "2025"
    assert request.run_key not in {change.run_key for change in found.changes}
    assert request.tags["suanli/landing_files"] == "provincial_statistics/gdp.xlsx (+1 more)"


def test_each_source_and_year_is_its_own_run() -> None:
    changes = [
        Change("compute_centres", "2024", "compute_centres/compute_centres_2024.csv", "a" * 64),
        Change("compute_centres", "2025", "compute_centres/compute_centres_2025.csv", "b" * 64),
        Change("patents", None, "patents/patents.csv", "c" * 64),
    ]
    requests = plan_requests(changes, "materialize_all", affected_selection)
    assert [(r.run_key, r.partition_key, r.job_name) for r in requests] == [
        (f"landing:compute_centres:2024:{'a' * 64}", "2024", "materialize_all"),
        (f"landing:compute_centres:2025:{'b' * 64}", "2025", "materialize_all"),
        (f"landing:patents:all:{'c' * 64}", None, "materialize_all"),
    ]
    assert requests[2].tags["suanli/delivery_sha256"] == "c" * 64


def test_scan_reports_new_and_changed_files_only(landing_dir: Path) -> None:
    first = scan(landing_dir, SPECS, Cursor(), years={"2023", "2024"})
    assert sorted(change.relative_path for change in first.changes) == sorted(COPIED)
    assert first.unknown == {}
    again = scan(landing_dir, SPECS, Cursor(first.files), years={"2023", "2024"})
    assert again.changes == [] and again.files == first.files
    only_2023 = scan(landing_dir, SPECS, Cursor(), years={"2023"})
    assert set(only_2023.unknown) == {
        "compute_centres/compute_centres_2024.csv",
        "network_stats/network_stats_2024.csv",
    }


def test_a_file_is_hashed_again_only_when_size_or_mtime_moved(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n")
    stat = path.stat()
    remembered = FileState(stat.st_size, stat.st_mtime_ns, "hash-from-last-tick")
    assert file_state(path, remembered) is remembered  # not re-read: the old hash stands
    rewrite(path, b"a,c\n")
    assert file_state(path, remembered).sha256 != "hash-from-last-tick"


def test_the_cursor_survives_json_and_garbage() -> None:
    cursor = Cursor({"p/p.csv": FileState(3, 4, "ab")}, frozenset({"stray.txt"}))
    assert Cursor.loads(cursor.dumps()) == cursor
    assert Cursor.loads("not json") == Cursor()
    assert Cursor.loads(None) == Cursor()


def test_the_sensor_watches_what_the_raw_assets_would_list(tmp_path: Path) -> None:
    """One listing: sidecars, listings, uploads in progress and hidden files are no deliveries
    for the sensor either, and it matches a file pattern as the landing lists it."""
    folder = tmp_path / "provincial_statistics"
    folder.mkdir()
    names = ("gdp.csv", "gdp.csv.sha256", "MANIFEST", "a.xlsx.crdownload", "b.xlsx.part", ".c.csv")
    for name in names:
        (folder / name).write_text("x")
    tables = next(spec for spec in SPECS if spec.name == "provincial_statistics")
    listed = LandingResource(location=str(tmp_path)).list_files(tables.name, tables.file_pattern)
    found = scan(tmp_path, [tables], Cursor())
    assert listed == ["provincial_statistics/gdp.csv"]
    assert [change.relative_path for change in found.changes] == listed
    assert found.unknown == {}

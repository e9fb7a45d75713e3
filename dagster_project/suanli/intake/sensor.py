"""`landing_sensor`: new or changed files in a landing directory start runs for their sources.

The pure part (`scan`) compares a directory with the cursor of the previous tick: a file is
re-hashed only when its size or mtime changed, and it is a change only when its bytes did, so
touching a file starts nothing. Each change asks for one run of the raw asset of its source
(for one year when the source is year-partitioned); its `run_key` is made of the source, year
and sha256, so the daemon never launches the same delivery twice, whatever happens to the
cursor. Files that match no source are logged once. A landing at a URL is not watched.

Which files are deliveries, and which source's file pattern each matches, are the landing
listing's rules (`suanli.intake.landing`: `delivery_files`, `pattern_regex`), the ones the raw
assets load by.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from suanli.intake.catalog import SourceSpec
from suanli.intake.landing import (
    LandingResource,
    configured_locations,
    delivery_files,
    is_url,
    pattern_regex,
    redact_url,
)

SENSOR_NAME = "landing_sensor"
CURSOR_VERSION = 1
_HASH_CHUNK = 1 << 20

# The assets a run for a changed delivery targets; None = the whole job.
# Dagster's tags for a single run over a partition range (what a single-run backfill sets).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

Selection = Callable[[str, str | None], Sequence[AssetKey] | None]


def affected_selection(source: str, year: str | None) -> None:
    """A new delivery rebuilds everything downstream of it and republishes the marts: the whole
    job for its year (the other sources' raw assets find their bytes unchanged and skip)."""
    return None


# ------------------------------------------------------------------------------- cursor


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class Cursor:
    """What the previous tick saw: matched files by relative path, and the unknown ones."""

    files: Mapping[str, FileState] = field(default_factory=dict)
    unknown: frozenset[str] = frozenset()

    def dumps(self) -> str:
        return json.dumps(
            {
                "version": CURSOR_VERSION,
                "files": {path: asdict(state) for path, state in sorted(self.files.items())},
                "unknown": sorted(self.unknown),
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str | None) -> Cursor:
        """An absent or unreadable cursor is an empty one: every file counts as new, and the
        run keys keep deliveries already launched from launching again."""
        try:
            data = json.loads(text or "{}")
            files = {path: FileState(**state) for path, state in data.get("files", {}).items()}
            return cls(files, frozenset(data.get("unknown", [])))
        except (ValueError, TypeError, AttributeError):
            return cls()


# --------------------------------------------------------------------------------- scan


@dataclass(frozen=True)
class Change:
    """A file whose bytes are new: the run it asks for."""

    source: str
    year: str | None
    relative_path: str
    sha256: str

    @property
    def run_key(self) -> str:
        return f"landing:{self.source}:{self.year or 'all'}:{self.sha256}"


@dataclass(frozen=True)
class Scan:
    changes: list[Change]
    files: dict[str, FileState]  # the cursor's files after this scan
    unknown: dict[str, str]  # relative path → why it is not loaded
    unsettled: list[str]  # written too recently: looked at again next tick


def match_file(relative_path: str, specs: Sequence[SourceSpec]) -> tuple[SourceSpec, str | None]:
    """The source whose file pattern `relative_path` is, and its year (None: unpartitioned)."""
    for spec in specs:
        if found := pattern_regex(spec.file_pattern).fullmatch(relative_path):
            return spec, found.groupdict().get("year") if spec.partitioned_by_year else None
    raise LookupError(relative_path)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_state(path: Path, before: FileState | None) -> FileState:
    """The file's size, mtime and hash; the hash is recomputed only if size or mtime moved."""
    stat = path.stat()
    if before and before.size == stat.st_size and before.mtime_ns == stat.st_mtime_ns:
        return before
    return FileState(stat.st_size, stat.st_mtime_ns, sha256_of(path))


def scan(
    directory: Path,
    specs: Sequence[SourceSpec],
    previous: Cursor,
    years: Collection[str] | None = None,
    settle_seconds: float = 0.0,
) -> Scan:
    """Compare `directory` with `previous`. `years` are the partitions that exist (None: any);
    files modified less than `settle_seconds` ago may still be being written and wait."""
    now_ns = time.time_ns()
    changes: list[Change] = []
    files: dict[str, FileState] = {}
    unknown: dict[str, str] = {}
    unsettled: list[str] = []
    for relative_path in delivery_files(directory):
        path = directory / relative_path
        try:
            spec, year = match_file(relative_path, specs)
        except LookupError:
            unknown[relative_path] = "matches the file pattern of no source landing here"
            continue
        if year is not None and years is not None and year not in years:
            unknown[relative_path] = f"{year} is not a year partition"
            continue
        before = previous.files.get(relative_path)
        if abs(now_ns - path.stat().st_mtime_ns) < settle_seconds * 1e9:
            unsettled.append(relative_path)
            if before:
                files[relative_path] = before
            continue
        state = file_state(path, before)
        files[relative_path] = state
        if before is None or before.sha256 != state.sha256:
            changes.append(Change(spec.name, year, relative_path, state.sha256))
    return Scan(changes, files, unknown, unsettled)


# ------------------------------------------------------------------------------- sensor


def watched_directories(
    landing: LandingResource, specs: Sequence[SourceSpec]
) -> dict[Path, list[SourceSpec]]:
    """Each landing directory with the sources that land in it (sources at URLs left out)."""
    directories: dict[Path, list[SourceSpec]] = {}
    for spec in specs:
        directory = landing.directory_for(spec.name)
        if directory is not None:
            directories.setdefault(directory, []).append(spec)
    return directories


def watches_directory(
    specs: Sequence[SourceSpec], environ: Mapping[str, str] | None = None
) -> bool:
    """Whether, configured from `environ` as `LandingResource.from_env` is, some source lands
    in a directory (read here because the resource binds a secret-bearing URL as an EnvVar)."""
    default, overrides = configured_locations(environ)
    return any(not is_url(overrides.get(spec.name, default)) for spec in specs)


def all_years_tags() -> dict[str, str]:
    from suanli.index.partitions import year_partitions

    keys = year_partitions.get_partition_keys()
    return {RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]}


def plan_requests(
    changes: Sequence[Change], job_name: str, selection: Selection
) -> list[RunRequest]:
    """One run per source and year. Several changed files of one source and year (a pattern
    with a wildcard) make one run, keyed by all of their hashes."""
    grouped: dict[tuple[str, str | None], list[Change]] = {}
    for change in changes:
        grouped.setdefault((change.source, change.year), []).append(change)
    requests = []
    for (source, year), group in grouped.items():
        chosen = selection(source, year)
        run_key = group[0].run_key
        files = group[0].relative_path
        if len(group) > 1:
            lines = sorted(f"{change.relative_path}:{change.sha256}" for change in group)
            combined = hashlib.sha256("\n".join(lines).encode()).hexdigest()
            run_key = f"landing:{source}:{year or 'all'}:{combined}"
            files = f"{files} (+{len(group) - 1} more)"
        requests.append(
            RunRequest(
                run_key=run_key,
                job_name=job_name,
                partition_key=year,
                asset_selection=list(chosen) if chosen is not None else None,
                tags={
                    # A cumulative list feeds every year: one run over the whole year range.
                    **(all_years_tags() if year is None and chosen is None else {}),
                    "suanli/trigger": SENSOR_NAME,
                    "suanli/landing_files": files,
                    "suanli/delivery_sha256": run_key.rsplit(":", 1)[1],  # combined when several
                },
            )
        )
    return requests


def build_landing_sensor(
    specs: Sequence[SourceSpec],
    job_name: str = "materialize_all",
    *,
    selection: Selection = affected_selection,
    years: Collection[str] | None = None,
    settle_seconds: float = 5.0,
    minimum_interval_seconds: int = 30,
    default_status: DefaultSensorStatus | None = None,
) -> SensorDefinition:
    """The sensor over the landing directories of `specs`. `years` defaults to the year
    partitions; `default_status` to RUNNING when, per the environment, something lands in a
    directory. Needs the `landing` resource."""
    if years is None:
        from suanli.index.partitions import year_partitions

        years = year_partitions.get_partition_keys()
    known_years = frozenset(years)
    if default_status is None:
        running = watches_directory(specs)
        default_status = DefaultSensorStatus.RUNNING if running else DefaultSensorStatus.STOPPED

    @sensor(
        name=SENSOR_NAME,
        job_name=job_name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description="Starts a run for each new or changed delivery in the landing directory "
        "(one per source and year); files matching no source are logged once.",
    )
    def landing_sensor(
        context: SensorEvaluationContext, landing: LandingResource
    ) -> SensorResult | SkipReason:
        directories = watched_directories(landing, specs)
        if not directories:
            shown = redact_url(landing.location)
            return SkipReason(f"the landing is a URL ({shown}): there is no directory to watch")
        previous = Cursor.loads(context.cursor)
        changes: list[Change] = []
        files: dict[str, FileState] = {}
        unknown: dict[str, str] = {}
        for directory, group in directories.items():
            if not directory.is_dir():
                context.log.warning(f"landing directory {directory} does not exist")
                # Keep what was known, so its return alone starts no runs.
                files |= {
                    path: state for path, state in previous.files.items() if _matches(path, group)
                }
                continue
            found = scan(directory, group, previous, known_years, settle_seconds)
            changes += found.changes
            files |= found.files
            unknown |= found.unknown
            for path in found.unsettled:
                context.log.info(f"{path}: modified moments ago, looked at next tick")
        for path, reason in sorted(unknown.items()):
            if path not in previous.unknown:
                context.log.warning(f"{path}: {reason}; not loaded")
        for change in changes:
            context.log.info(
                f"{change.relative_path}: new delivery (sha256 {change.sha256[:12]}), "
                f"run for {change.source} {change.year or '(all years)'}"
            )
        cursor = Cursor(files, frozenset(unknown)).dumps()
        requests = plan_requests(changes, job_name, selection)
        if not requests:
            return SensorResult(skip_reason="no new or changed deliveries", cursor=cursor)
        return SensorResult(run_requests=requests, cursor=cursor)

    return landing_sensor


def _matches(relative_path: str, specs: Sequence[SourceSpec]) -> bool:
    try:
        match_file(relative_path, specs)
    except LookupError:
        return False
    return True

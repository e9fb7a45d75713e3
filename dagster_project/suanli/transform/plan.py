"""Is a run needed? Nothing is recomputed when nothing it depends on has changed.

A run's inputs are the deliveries waiting in the landing location and the project itself (the
pipeline's code, the dbt project, the GX suites, the index definitions, the reference seeds,
the audit's uncertainty file).
`inputs_fingerprint` digests them all; the command line tags each run with it
(`suanli/inputs`). When the last successful run with the same fingerprint covered the years
asked for, no run came after it, and the work file, the published file, the exports and the
report are all still there, a new run would recompute the same numbers: `python
-m suanli.cli materialize` says so and starts none (`--force` runs anyway).

And when a run is needed, may it be partial? `changed_sources` finds the sources a run may
change (a landing file not in force, deliveries in force unlike those the latest build read);
`rebuild_plan` lets the run rebuild only what reads them when that build was audited and made
from the same project (`project_digest`); `stale_plan` says, when the run's dbt step starts,
whether the plan still holds.

Conservative on purpose: a landing location at a URL cannot be digested without downloading
it (the run does that), so its fingerprint is unknown and a run always starts. So
does one after a change no file shows (an environment setting such as `SUANLI_MAX_CELL_CHARS`):
`--force` is for that.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from suanli.settings import (
    DBT_PROJECT_DIR,
    EXPECTATIONS_DIR,
    REPO_ROOT,
    SEEDS_DIR,
    uncertainty_file,
)
from suanli.transform.builds import MartsBuild

INPUTS_TAG = "suanli/inputs"
# A run asked to recompute although its inputs are unchanged (`materialize --force`).
FORCE_TAG = "suanli/force"
# A run that rebuilds part of the marts: the run id of the audited build it extends.
BASE_TAG = "suanli/base_build"
SOURCES_TAG = "suanli/rebuilt_sources"  # …and the sources whose changes it rebuilds

# What the numbers depend on besides the deliveries. dbt's target/ and logs/ are outputs.
PROJECT_INPUTS = (
    REPO_ROOT / "dagster_project" / "suanli",
    DBT_PROJECT_DIR / "models",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "seeds",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
    DBT_PROJECT_DIR / "profiles.yml",
    EXPECTATIONS_DIR,
    SEEDS_DIR / "reference",
)
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}


def _files(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not SKIPPED_PARTS.intersection(path.parts):
            yield path


def tree_digest(roots: Sequence[Path]) -> str:
    """sha256 over every file's path (relative to its root) and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for root in roots:
        digest.update(f"\0root {root.name}\0".encode())
        for path in _files(root):
            relative = path.relative_to(root).as_posix() if root.is_dir() else path.name
            digest.update(f"{relative}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def inputs_fingerprint(
    landing_directories: Sequence[Path | None], index_systems: Path
) -> str | None:
    """The digest of everything a run reads; None when a landing location is a URL."""
    if any(directory is None for directory in landing_directories):
        return None
    landing = sorted({directory for directory in landing_directories if directory is not None})
    return tree_digest([*PROJECT_INPUTS, index_systems, uncertainty_file(), *landing])


@dataclass(frozen=True)
class Outputs:
    """What a run leaves for people: the work file, the published marts, exports, report."""

    warehouse: Path
    published: Path
    workbook: Path
    report: Path

    def missing(self) -> list[Path]:
        return [path for path in (self.warehouse, self.published, self.workbook, self.report)
                if not path.exists()]  # fmt: skip


def project_digest(index_systems: Path) -> str:
    """The digest of the project dbt's build depends on besides the deliveries: code, dbt
    project, suites, index definitions, reference seeds, the audit's uncertainty file."""
    return tree_digest([*PROJECT_INPUTS, index_systems, uncertainty_file()])


def dbt_inputs(
    deliveries: Iterable[Mapping[str, str | None]], index_systems: Path, project: str = ""
) -> str:
    """The digest of what dbt reads: the deliveries in force (by their bytes' sha256) and the
    project (its `project_digest`, computed when not given). A build recorded with the same
    digest (`suanli.transform.builds`) needs no rebuild."""
    digest = hashlib.sha256((project or project_digest(index_systems)).encode())
    for source, partition, sha256 in sorted(
        (d["source"] or "", d["partition"] or "", d["sha256"] or "") for d in deliveries
    ):
        digest.update(f"{source}\0{partition}\0{sha256}\n".encode())
    return digest.hexdigest()


def landed_files(
    directories: Mapping[str, Path | None], patterns: Mapping[str, str]
) -> dict[str, set[tuple[str, str]]] | None:
    """(file name, sha256) of every file in the landing location that matches a source's
    pattern, by source; None when a source lands at a URL (known only by fetching)."""
    from suanli.intake.landing import delivery_files, pattern_regex
    from suanli.intake.sensor import sha256_of  # in chunks: month files can be large

    landed: dict[str, set[tuple[str, str]]] = {}
    listed: dict[Path, list[str]] = {}
    for source, pattern in patterns.items():
        directory = directories.get(source)
        if directory is None:
            return None
        if directory not in listed:
            listed[directory] = delivery_files(directory) if directory.is_dir() else []
        regex = pattern_regex(pattern)
        landed[source] = {
            (Path(path).name, sha256_of(directory / path))
            for path in listed[directory]
            if regex.fullmatch(path)
        }
    return landed


def changed_sources(
    built_from: Iterable[Mapping[str, str | None]],
    in_force: Iterable[Mapping[str, str | None]],
    landed: Mapping[str, Iterable[tuple[str, str]]],
) -> list[str]:
    """The sources a run may change: those whose deliveries in force differ from those a build
    read (`built_from`; a run of the source alone came between), and those with a landing file
    not in force (a new or corrected delivery, or one intake will refuse: counted all the
    same, as intake decides only in the run)."""

    def by_source(deliveries: Iterable[Mapping[str, str | None]]) -> dict[str, set]:
        found: dict[str, set] = {}
        for d in deliveries:
            found.setdefault(d["source"] or "", set()).add((d["partition"], d["file"], d["sha256"]))
        return found

    built, current = by_source(built_from), by_source(in_force)
    changed = {s for s in built.keys() | current.keys() if built.get(s) != current.get(s)}
    for source, files in landed.items():
        known = {(file, sha256) for _, file, sha256 in current.get(source, set())}
        if set(files) - known:
            changed.add(source)
    return sorted(changed)


@dataclass(frozen=True)
class RebuildPlan:
    """Rebuild only what reads `sources`, on top of the audited build of run `base`."""

    base: str
    sources: tuple[str, ...]


# The macro through which a model reads, of the deliveries log, one source's rows alone: which
# of that source's deliveries are in force (macros/deliveries.sql). A raw step writes rows of its
# own source only, so such a model of another source reads the same rows after it.
OWN_DELIVERIES_MACRO = "macro.suanli.current_delivery_rows"
_READS_LOG = re.compile(r"""source\(\s*(?:['"]raw['"]\s*,\s*)?['"]deliveries['"]\s*\)""")
_OWN_DELIVERIES = re.compile(r"""current_delivery_rows\(\s*['"](\w+)['"]\s*\)""")


def own_deliveries_readers(manifest: Mapping) -> dict[tuple[str, str], str]:
    """The dbt models that read the deliveries log only through `current_delivery_rows` of one
    source named in their code: (schema, name) → that source. A model that reads the log in
    any other way, itself or through any other macro, is not one of them."""
    macros = manifest["macros"]
    log_macros = {key for key, macro in macros.items() if _READS_LOG.search(macro["macro_sql"])}
    while True:  # and the macros calling those, at any depth
        calling = {
            key
            for key, macro in macros.items()
            if set(macro.get("depends_on", {}).get("macros", [])) & log_macros
        }
        if calling <= log_macros:
            break
        log_macros |= calling
    readers: dict[tuple[str, str], str] = {}
    for node in manifest["nodes"].values():
        code = node.get("raw_code") or ""
        if node["resource_type"] != "model" or _READS_LOG.search(code):
            continue
        if set(node["depends_on"]["macros"]) & log_macros != {OWN_DELIVERIES_MACRO}:
            continue
        if len(sources := set(_OWN_DELIVERIES.findall(code))) == 1:
            readers[(node["config"]["schema"], node["name"])] = sources.pop()
    return readers


def rebuild_plan(
    latest: MartsBuild | None, project: str, sources: Sequence[str]
) -> tuple[RebuildPlan | None, str]:
    """(a partial rebuild, or None for a whole one; why), from the work file's latest build, the
    project's digest now and the sources a run may change (`changed_sources`)."""
    if latest is None:
        return None, "no build on record to build on"
    if latest.audited_at is None:
        return None, f"the latest build (run {latest.run_id}) was not audited"
    if not latest.project or latest.project != project:
        return None, f"the project changed since the build of run {latest.run_id}"
    if not sources:
        return None, "no delivery changed"
    return RebuildPlan(latest.run_id, tuple(sources)), (
        f"rebuilding what reads {', '.join(sources)} on the audited build of run {latest.run_id}"
    )


def stale_plan(
    latest: MartsBuild | None, project: str, changed: Sequence[str], planned: Sequence[str]
) -> str:
    """Why a partial rebuild of what reads the `planned` sources may no longer run ("" if it
    may): the work file's latest build must be audited, of this project, and the sources whose
    deliveries changed since it (`changed`) among those planned."""
    if latest is None:
        return "the work file has no build on record"
    if latest.audited_at is None:
        return f"its latest build (run {latest.run_id}) is not audited"
    if latest.project != project:
        return "the project has changed since"
    if extra := sorted(set(changed) - set(planned)):
        return f"the deliveries of {', '.join(extra)} have changed too"
    return ""


def up_to_date_reason(
    *,
    fingerprint: str | None,
    last_run_id: str | None,
    last_run_years: Sequence[str],
    latest_run_id: str | None,
    years: Sequence[str],
    outputs: Outputs,
) -> tuple[bool, str]:
    """(whether a run can be skipped, why or why not), from what was found."""
    if fingerprint is None:
        return False, "a landing location is a URL: its files are only known by fetching them"
    if last_run_id is None:
        return False, "no successful run has read these deliveries with this code"
    if not set(years) <= set(last_run_years):
        return False, f"run {last_run_id} did not cover every year asked for"
    if missing := outputs.missing():
        return False, f"missing since run {last_run_id}: {', '.join(map(str, missing))}"
    if latest_run_id != last_run_id:
        return False, f"run {latest_run_id} came after run {last_run_id}"
    return True, (
        f"nothing changed since run {last_run_id}: same deliveries, same code, marts, exports "
        "and report in place"
    )

"""Every bad delivery of the corpus (`corpus.py`) is refused with exactly its message: by the
check command, by the pipeline's store, and in one real pipeline run where the whole corpus
lands at once, each file quarantined while the delivery in force before it stays current and
the published marts file is left byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from corpus import CORPUS, BadDelivery, bundled

from suanli.intake.audits import audit_delivery
from suanli.intake.catalog import SourceSpec, source_specs
from suanli.intake.check import check_files
from suanli.intake.delivery import Delivery, store
from suanli.intake.readers import reader_for
from suanli.settings import SNAPSHOT_DIR
from suanli.transform.assets import load_manifest

REPO_ROOT = Path(__file__).resolve().parents[3]
SPECS: dict[str, SourceSpec] = {spec.name: spec for spec in source_specs(load_manifest())}
CHECKED = [entry for entry in CORPUS if not entry.supersedes]


def by_id(entries: list[BadDelivery]) -> dict:
    return {"argvalues": entries, "ids": [entry.id for entry in entries]}


def landed(entry: BadDelivery, folder: Path) -> Path:
    path = folder / entry.file_name
    path.write_bytes(entry.content())
    return path


# ---------------------------------------------------------------------------- the corpus


def test_the_corpus_covers_record_sources_and_statistics_tables() -> None:
    sources = Counter(entry.source for entry in CORPUS)
    assert len(CORPUS) >= 30
    assert len({entry.id for entry in CORPUS}) == len(CORPUS)
    assert set(sources) == set(SPECS), "every source has a bad delivery"
    assert sources["provincial_statistics"] >= 3


def test_each_bad_delivery_has_a_landing_slot_of_its_own() -> None:
    """One pipeline run reads one file per slot: no two entries may compete for one."""
    slots = Counter((entry.source, entry.slot) for entry in CORPUS)
    assert [slot for slot, count in slots.items() if count > 1] == []
    for entry in CORPUS:
        spec = SPECS[entry.source]
        if spec.is_multi_file and spec.partitioned_by_year:  # a month in its year's folder
            assert entry.path == f"{spec.name}/{spec.year_of_slot(entry.slot)}/{entry.file_name}"
        elif spec.is_multi_file:
            assert entry.path == f"{spec.name}/{entry.file_name}"
        else:
            assert entry.path == spec.relative_path(entry.slot)
        replaces_a_bundled_file = (SNAPSHOT_DIR / entry.path).is_file()
        if spec.is_multi_file and not spec.partitioned_by_year:  # new unless it supersedes
            assert replaces_a_bundled_file == entry.supersedes, entry.id
        assert entry.content() != (bundled(entry.path) if replaces_a_bundled_file else None)


# ------------------------------------------------------------------- the check command


@pytest.mark.parametrize("entry", **by_id(CHECKED))
def test_the_check_command_names_every_problem(
    entry: BadDelivery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in entry.env.items():
        monkeypatch.setenv(name, value)

    [verdict] = check_files(SPECS[entry.source], [landed(entry, tmp_path)])

    assert not verdict.accepted
    assert list(verdict.lines) == list(entry.messages)


def test_the_check_command_exits_1_and_prints_each_problem(cli, env, tmp_path: Path) -> None:
    """A cell, a structure and an encoding problem, checked in one call as a sender would."""
    entries = {entry.id: entry for entry in CORPUS}
    chosen = [
        entries[name]
        for name in (
            "shipments_thousands_separators_in_a_fraction",
            "shipments_separated_by_semicolons",
            "shipments_utf8_bom_then_gbk",
        )
    ]
    paths = [landed(entry, tmp_path) for entry in chosen]

    nowhere = tmp_path / "no_warehouse.duckdb"  # a sender's machine: no warehouse to compare
    result = cli({**env, "SUANLI_WAREHOUSE": str(nowhere)}, "check", "server_shipments",
                 *map(str, paths))  # fmt: skip

    assert result.returncode == 1, result.stdout + result.stderr
    expected = []
    why = f"no warehouse at {nowhere}: not compared with a delivery in force"
    for path, entry in zip(paths, chosen, strict=True):
        expected += [f"{path}: would be quarantined ({why}):"]
        expected += [f"  {line}" for line in entry.messages]
    assert result.stdout.splitlines() == expected


@pytest.mark.integration
def test_the_check_command_compares_with_the_delivery_in_force(
    copied_warehouse: dict[str, str], cli, tmp_path: Path
) -> None:
    """Beside a warehouse, the check runs the plausibility audit the pipeline runs: a 万元
    table labelled 亿元 is held, and the good file it would supersede is accepted."""
    (entry,) = [e for e in CORPUS if e.id == "statistics_wan_yuan_labelled_yi_yuan"]
    bad = landed(entry, tmp_path)
    good = SNAPSHOT_DIR / entry.path

    result = cli(copied_warehouse, "check", "provincial_statistics", str(bad))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bad}: would be quarantined (compared with the delivery in ")
    assert lines[1:] == [f"  {line}" for line in entry.messages]

    accepted = cli(copied_warehouse, "check", "provincial_statistics", str(good))
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "would be accepted" in accepted.stdout


# ---------------------------------------------------------------------- the pipeline's store


@pytest.mark.parametrize("entry", **by_id(CORPUS))
def test_the_pipeline_quarantines_it_and_keeps_the_delivery_in_force(
    entry: BadDelivery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`store`, as the raw assets call it, on an in-memory warehouse holding the bundled
    delivery of the slot (when there is one) in force."""
    for name, value in entry.env.items():
        monkeypatch.setenv(name, value)
    spec = SPECS[entry.source]
    read = reader_for(spec)
    with duckdb.connect() as connection:
        in_force = None
        if (SNAPSHOT_DIR / entry.path).is_file():
            good = Delivery(spec.name, entry.slot, entry.file_name, bundled(entry.path))
            in_force = store(connection, spec, good, tmp_path, read, audit_delivery)
            assert in_force.status == "loaded"

        bad = Delivery(spec.name, entry.slot, entry.file_name, entry.content())
        result = store(connection, spec, bad, tmp_path, read, audit_delivery)

        current = connection.execute(
            "select delivery_id from raw.deliveries "
            "where source = ? and partition_key is not distinct from ? and is_current",
            [spec.name, entry.slot],
        ).fetchall()
    assert result.status == "quarantined"
    assert list(result.problems) == list(entry.messages)
    assert Path(result.archived_path).read_bytes() == entry.content()
    assert current == ([(in_force.delivery_id,)] if in_force else [])


# ------------------------------------------------------------------------ one real run


@pytest.mark.integration
def test_the_whole_corpus_in_one_run_is_quarantined_and_changes_nothing_published(
    copied_warehouse: dict[str, str], tmp_path: Path, latest_check_evaluation
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(SNAPSHOT_DIR, landing)
    for entry in CORPUS:
        (landing / entry.path).parent.mkdir(exist_ok=True)  # expert_judgements/: none bundled
        (landing / entry.path).write_bytes(entry.content())
    environment = {**copied_warehouse, "SUANLI_LANDING": str(landing)}
    for entry in CORPUS:
        environment.update(entry.env)
    work = Path(copied_warehouse["SUANLI_WAREHOUSE"])
    marts = work.with_name(f"{work.stem}_marts{work.suffix}")
    published_before = hashlib.sha256(marts.read_bytes()).hexdigest()
    with duckdb.connect(str(work), read_only=True) as warehouse:
        current_before = current_deliveries(warehouse)

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "suanli.cli", "materialize"],
        env=environment, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    print(f"one run of the whole corpus: {time.perf_counter() - started:.0f} s")

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    with duckdb.connect(str(work), read_only=True) as warehouse:
        quarantined = {
            (source, slot, delivery_id): (json.loads(problems), archived)
            for source, slot, delivery_id, problems, archived in warehouse.execute(
                "select source, partition_key, delivery_id, problems, archived_path "
                "from raw.quarantine"
            ).fetchall()
        }
        current_after = current_deliveries(warehouse)
    checks = {
        source: latest_check_evaluation(["raw", source], "delivery_accepted", copied_warehouse)
        for source in {entry.source for entry in CORPUS}
    }

    wrong = {}
    for entry in CORPUS:
        delivery_id = hashlib.sha256(entry.content()).hexdigest()
        key = (entry.source, entry.slot)
        problems, archived = quarantined.get((*key, delivery_id), (None, None))
        check = checks[entry.source]
        named = {(item["file"], item["sha256"]) for item in check.metadata["quarantined"].data}
        findings = {
            "quarantined with its messages": problems == list(entry.messages),
            "archived as received": archived is not None
            and Path(archived).read_bytes() == entry.content(),
            "the delivery in force before it still current": current_after.get(key)
            == current_before.get(key),
            "delivery_accepted failed naming it": not check.passed
            and (entry.file_name, delivery_id) in named,
        }
        if failed := [finding for finding, holds in findings.items() if not holds]:
            wrong[entry.id] = failed
    assert wrong == {}
    assert current_after == current_before, "nothing became current, nothing stopped being"

    published_after = hashlib.sha256(marts.read_bytes()).hexdigest()
    assert published_after == published_before, "nothing accepted, nothing published anew"


def current_deliveries(warehouse: duckdb.DuckDBPyConnection) -> dict[tuple, list[str]]:
    """(source, slot) → the delivery ids current for it."""
    current: dict[tuple, list[str]] = {}
    for source, slot, delivery_id in warehouse.execute(
        "select source, partition_key, delivery_id from raw.deliveries where is_current "
        "order by all"
    ).fetchall():
        current.setdefault((source, slot), []).append(delivery_id)
    return current

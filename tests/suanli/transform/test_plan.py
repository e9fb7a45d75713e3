"""When a run is needed: only when something it reads has changed, or an output is gone; and
when it may rebuild only what reads the sources whose deliveries changed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from suanli.transform.builds import MartsBuild
from suanli.transform.plan import (
    Outputs,
    RebuildPlan,
    changed_sources,
    dbt_inputs,
    inputs_fingerprint,
    landed_files,
    own_deliveries_readers,
    rebuild_plan,
    stale_plan,
    tree_digest,
    up_to_date_reason,
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing" / "compute_centres"
    folder.mkdir(parents=True)
    (folder / "compute_centres_2025.csv").write_text("centre_id\nDC-1\n", encoding="utf-8")
    return folder.parent


def test_a_digest_changes_with_a_files_bytes_or_name(landing: Path) -> None:
    before = tree_digest([landing])
    assert tree_digest([landing]) == before
    registry = landing / "compute_centres" / "compute_centres_2025.csv"
    registry.write_text("centre_id\nDC-2\n", encoding="utf-8")
    changed = tree_digest([landing])
    assert changed != before
    registry.rename(registry.with_name("compute_centres_2024.csv"))
    assert tree_digest([landing]) not in (before, changed)


def test_the_fingerprint_covers_the_index_definitions_and_the_landing(
    landing: Path, tmp_path: Path
) -> None:
    systems = tmp_path / "systems"
    systems.mkdir()
    (systems / "a.yml").write_text("code: a\n", encoding="utf-8")
    before = inputs_fingerprint([landing], systems)
    (systems / "a.yml").write_text("code: b\n", encoding="utf-8")
    assert inputs_fingerprint([landing], systems) != before


def test_a_landing_at_a_url_cannot_be_fingerprinted(landing: Path, tmp_path: Path) -> None:
    assert inputs_fingerprint([landing, None], tmp_path) is None


@pytest.fixture
def outputs(tmp_path: Path) -> Outputs:
    made = Outputs(
        warehouse=tmp_path / "w.duckdb",
        published=tmp_path / "w_marts.duckdb",
        workbook=tmp_path / "exports" / "suanli_marts.xlsx",
        report=tmp_path / "report" / "index.html",
    )
    for path in (made.warehouse, made.published, made.workbook, made.report):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    return made


def reason(outputs: Outputs, **changes) -> tuple[bool, str]:
    found = {
        "fingerprint": "abc",
        "last_run_id": "run-1",
        "last_run_years": ["2024", "2025"],
        "latest_run_id": "run-1",
        "years": ["2025"],
        "outputs": outputs,
    }
    return up_to_date_reason(**{**found, **changes})


def test_nothing_changed_since_the_run_that_built_the_marts(outputs: Outputs) -> None:
    skip, why = reason(outputs)
    assert skip and "nothing changed since run run-1" in why


def test_a_run_is_needed_when(outputs: Outputs) -> None:
    assert reason(outputs, fingerprint=None) == (
        False,
        "a landing location is a URL: its files are only known by fetching them",
    )
    assert not reason(outputs, last_run_id=None)[0]  # these inputs never ran
    assert not reason(outputs, years=["2023", "2025"])[0]  # a year it did not build
    skip, why = reason(outputs, latest_run_id="run-2")  # another run came after it
    assert not skip and why == "run run-2 came after run run-1"
    outputs.report.unlink()
    skip, why = reason(outputs)
    assert not skip and str(outputs.report) in why


def test_dbt_inputs_are_the_deliveries_in_force_by_content(tmp_path: Path) -> None:
    def delivered(sha256: str, received: str = "2026-01-01") -> list[dict]:
        return [
            {"source": "patents", "partition": None, "sha256": "p" * 64, "file": "a.csv"},
            {"source": "compute_centres", "partition": "2025", "sha256": sha256,
             "file": "c.csv", "received_at": received},
        ]  # fmt: skip

    before = dbt_inputs(delivered("a" * 64), tmp_path)
    # the same bytes received again, listed in another order: the same inputs
    assert dbt_inputs(list(reversed(delivered("a" * 64, "2026-02-02"))), tmp_path) == before
    assert dbt_inputs(delivered("b" * 64), tmp_path) != before


REGISTRY_2025 = {
    "source": "compute_centres", "partition": "2025", "file": "compute_centres_2025.csv"
}  # fmt: skip
PATENTS = {"source": "patents", "partition": None, "file": "patents.csv", "sha256": "p" * 64}


def test_landed_files_are_each_sources_files_by_name_and_content(landing: Path) -> None:
    (landing / "compute_centres" / "README.txt").write_text("not a delivery", encoding="utf-8")
    (landing / "patents").mkdir()
    registry = landing / "compute_centres" / "compute_centres_2025.csv"
    patterns = {
        "compute_centres": "compute_centres/compute_centres_{year}.csv",
        "patents": "patents/patents.csv",  # nothing delivered yet
    }

    landed = landed_files(dict.fromkeys(patterns, landing), patterns)

    sha256 = hashlib.sha256(registry.read_bytes()).hexdigest()
    assert landed == {"compute_centres": {("compute_centres_2025.csv", sha256)}, "patents": set()}
    # a source at a URL: its files are known only by fetching them
    assert landed_files({**dict.fromkeys(patterns, landing), "patents": None}, patterns) is None


def test_a_source_changes_with_a_new_landing_file_or_other_deliveries_in_force() -> None:
    built_from = [{**REGISTRY_2025, "sha256": "a" * 64}, PATENTS]
    landed = {"compute_centres": {("compute_centres_2025.csv", "a" * 64)}, "patents": set()}
    assert changed_sources(built_from, built_from, landed) == []

    # a corrected registry waits in the landing location
    corrected = {"compute_centres": {("compute_centres_2025.csv", "b" * 64)}, "patents": set()}
    assert changed_sources(built_from, built_from, corrected) == ["compute_centres"]
    # the same bytes under another year's name are another delivery
    renamed = {"compute_centres": {("compute_centres_2024.csv", "a" * 64)}, "patents": set()}
    assert changed_sources(built_from, built_from, renamed) == ["compute_centres"]
    # a run of the patents alone came between the build and now
    in_force = [{**REGISTRY_2025, "sha256": "a" * 64}, {**PATENTS, "sha256": "q" * 64}]
    assert changed_sources(built_from, in_force, landed) == ["patents"]


def build(**fields) -> MartsBuild:
    defaults = {"run_id": "run-1", "built_at": datetime(2026, 12, 1), "deliveries": []}
    audited = {"audited_at": datetime(2026, 12, 1, 0, 1), "project": "p"}
    return MartsBuild(**{**defaults, **audited, **fields})


def test_a_partial_rebuild_needs_an_audited_build_of_the_same_project() -> None:
    plan, why = rebuild_plan(build(), "p", ["compute_centres"])
    assert plan == RebuildPlan("run-1", ("compute_centres",))
    assert why == "rebuilding what reads compute_centres on the audited build of run run-1"

    for latest, project, sources, expected in [
        (None, "p", ["compute_centres"], "no build on record to build on"),
        (build(audited_at=None), "p", ["compute_centres"], "was not audited"),
        (build(), "q", ["compute_centres"], "the project changed since"),
        (build(project=""), "p", ["compute_centres"], "the project changed since"),
        (build(), "p", [], "no delivery changed"),
    ]:
        plan, why = rebuild_plan(latest, project, sources)
        assert plan is None and expected in why


def test_a_partial_rebuild_still_holds_on_another_partial_runs_audited_build() -> None:
    # Two runs took turns: the other one's build (of the patents) came between.
    assert stale_plan(build(run_id="run-2"), "p", [], ["compute_centres"]) == ""
    assert stale_plan(build(), "p", ["compute_centres"], ["compute_centres"]) == ""

    for latest, project, changed, expected in [
        (None, "p", [], "the work file has no build on record"),
        (build(audited_at=None), "p", [], "its latest build (run run-1) is not audited"),
        (build(), "q", [], "the project has changed since"),
        (build(), "p", ["patents"], "the deliveries of patents have changed too"),
    ]:
        assert stale_plan(latest, project, changed, ["compute_centres"]) == expected


def manifest(models: dict[str, tuple[str, list[str]]], macros: dict[str, tuple[str, list[str]]]):
    """A dbt manifest of staging `models` (name → code, macros called) and `macros`
    (name → SQL, macros called)."""
    return {
        "macros": {
            f"macro.suanli.{name}": {
                "macro_sql": sql,
                "depends_on": {"macros": [f"macro.suanli.{m}" for m in calls]},
            }
            for name, (sql, calls) in macros.items()
        },
        "nodes": {
            f"model.suanli.{name}": {
                "resource_type": "model",
                "name": name,
                "config": {"schema": "staging"},
                "raw_code": code,
                "depends_on": {"macros": [f"macro.suanli.{m}" for m in calls]},
            }
            for name, (code, calls) in models.items()
        },
    }


OWN_ROWS = "select * from {{ raw_source(source_table) }} join {{ raw_source('deliveries') }}"


def test_the_models_reading_one_sources_rows_of_the_deliveries_log_are_named_with_it() -> None:
    macros = {
        "current_delivery_rows": (OWN_ROWS, []),
        "every_delivery": ("select * from {{ source('raw', 'deliveries') }}", []),
        "via_another": ("{{ every_delivery() }}", ["every_delivery"]),
        "cents": ("{{ column }} * 100", []),
    }
    models = {
        "stg_patents": ("{{ current_delivery_rows('patents') }}", ["current_delivery_rows"]),
        "stg_rates": (
            "{{ current_delivery_rows('rates') }} {{ cents('x') }}",
            ["current_delivery_rows", "cents"],
        ),
        # the log read again in the model's own code, through another macro, or for two sources
        "stg_units": (
            "{{ current_delivery_rows('units') }} join {{ source('raw', 'deliveries') }}",
            ["current_delivery_rows"],
        ),
        "stg_mixed": (
            "{{ current_delivery_rows('mixed') }} {{ via_another() }}",
            ["current_delivery_rows", "via_another"],
        ),
        "stg_two": (
            "{{ current_delivery_rows('a') }} union all {{ current_delivery_rows('b') }}",
            ["current_delivery_rows"],
        ),
        "dim_delivery": ("select * from {{ source('raw', 'deliveries') }}", []),
    }
    assert own_deliveries_readers(manifest(models, macros)) == {
        ("staging", "stg_patents"): "patents",
        ("staging", "stg_rates"): "rates",
    }


def test_every_staging_model_of_a_delivered_source_reads_only_its_own_rows() -> None:
    from suanli.settings import DBT_PROJECT_DIR

    path = DBT_PROJECT_DIR / "target" / "manifest.json"
    readers = own_deliveries_readers(json.loads(path.read_text(encoding="utf-8")))
    assert readers[("staging", "stg_compute_centres")] == "compute_centres"
    assert readers[("staging", "stg_patents")] == "patents"
    # joins the log again for when each delivery was received: rebuilt with any source
    assert ("staging", "stg_provincial_statistics") not in readers
    assert all(
        schema == "staging" and name == f"stg_{source}"
        for (schema, name), source in readers.items()
    )

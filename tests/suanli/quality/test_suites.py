"""GX suites are data: every bundled suite loads, and validation reports what failed and where."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from suanli.index.catalogue import load_catalogue
from suanli.quality.checks import check_result
from suanli.quality.suites import load_suite, load_suites, validate
from suanli.settings import EXPECTATIONS_DIR

CENTRES = load_suite(EXPECTATIONS_DIR / "compute_centres.json")


def centres(pue: list[float], utilisation: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": ["2025"] * len(pue),
            "centre_id": [f"DC-{i}" for i in range(len(pue))],
            "province": ["河北省"] * len(pue),
            "file_name": ["compute_centres_2025.csv"] * len(pue),
            "file_row": list(range(2, len(pue) + 2)),
            "pue": pue,
            "rack_utilisation_pct": utilisation,
        }
    )


def test_every_bundled_suite_loads_with_targets_and_severities() -> None:
    suites = load_suites(EXPECTATIONS_DIR)
    names = {suite.name for suite in suites}
    assert names >= {"compute_centres", "indicator_values", "indicator_coverage"}
    assert names >= {"index_scores", "index_weights"}
    assert all(suite.targets and "{relation}" in suite.query for suite in suites)


def test_a_clean_frame_passes() -> None:
    outcome = validate(CENTRES, centres([1.2, 1.5], [60.0, 99.0]))
    assert outcome.passed and outcome.rows == 2 and len(outcome.outcomes) == 4


def test_an_impossible_pue_fails_as_error_and_names_the_offending_row() -> None:
    outcome = validate(CENTRES, centres([1.2, 0.8, 1.4], [60.0, 70.0, 80.0]))
    assert not outcome.passed and outcome.worst_severity == "ERROR"
    (failed,) = outcome.failed
    assert failed.column == "pue" and failed.unexpected_count == 1
    assert failed.unexpected_sample[0]["centre_id"] == "DC-1"
    assert failed.unexpected_sample[0]["file_row"] == 3
    result = check_result(outcome)
    assert not result.passed
    assert result.metadata["failed_expectations"].value[0]["unexpected_sample"][0]["pue"] == 0.8


def test_warn_only_failures_are_reported_as_warnings(tmp_path: Path) -> None:
    definition = json.loads((EXPECTATIONS_DIR / "compute_centres.json").read_text())
    for expectation in definition["expectations"]:
        expectation["meta"]["severity"] = "WARN"
    path = tmp_path / "warn.json"
    path.write_text(json.dumps(definition))
    shutil.copy(EXPECTATIONS_DIR / "compute_centres.sql", path.with_suffix(".sql"))
    outcome = validate(load_suite(path), centres([1.2, 3.5], [60.0, 70.0]))
    assert outcome.worst_severity == "WARN"
    assert check_result(outcome).severity.value == "WARN"


def test_an_expectation_without_severity_is_refused(tmp_path: Path) -> None:
    definition = json.loads((EXPECTATIONS_DIR / "compute_centres.json").read_text())
    del definition["expectations"][0]["meta"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(definition))
    with pytest.raises(ValueError, match=r"needs meta\.severity"):
        load_suite(path)


def test_suite_sql_names_tables_through_dbt_never_by_schema() -> None:
    for suite in load_suites(EXPECTATIONS_DIR):
        assert not re.search(r"\b(staging|reference|raw|intermediate|marts)\.\w", suite.query)
        for target in suite.targets:
            sql = suite.sql_for(target)
            assert "{" not in sql and target.relation in sql, suite.name
    [target] = load_suite(EXPECTATIONS_DIR / "compute_centres.json").targets
    assert "raw.deliveries" in CENTRES.sql_for(target)


def test_an_unknown_relation_is_named(tmp_path: Path) -> None:
    shutil.copy(EXPECTATIONS_DIR / "compute_centres.json", tmp_path / "toy.json")
    (tmp_path / "toy.sql").write_text("select * from {relation} join {ref[stg_nowhere]} using (x)")
    suite = load_suite(tmp_path / "toy.json")
    with pytest.raises(KeyError, match=r"\{ref\[stg_nowhere\]\}: no dbt ref of that name"):
        suite.sql_for(suite.targets[0])


def test_catalogue_selectors_become_the_catalogued_codes(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    suite = load_suite(EXPECTATIONS_DIR / "indicator_national_share.json", catalogue)
    groups = [e["kwargs"]["row_condition"]["parameter"] for e in suite.definition["expectations"]]
    assert (
        groups[0]
        == [code for code, i in catalogue.items() if i.max_national_share_pct == 40]
        == ["racks_in_use", "intelligent_compute", "storage_capacity"]
    )
    definition = json.loads((EXPECTATIONS_DIR / "indicator_national_share.json").read_text())
    definition["expectations"][0]["kwargs"]["row_condition"]["parameter"] = {
        "indicators": {"colour": "red"}
    }
    (tmp_path / "bad.json").write_text(json.dumps(definition))
    shutil.copy(EXPECTATIONS_DIR / "indicator_national_share.sql", tmp_path / "bad.sql")
    with pytest.raises(ValueError, match=r"bad.json: no catalogue column \['colour'\]"):
        load_suite(tmp_path / "bad.json", catalogue)


# In a fresh interpreter: right after warm_up() returns, while GX still imports on its thread.
WARM_UP_THEN_INSPECT = """
import sys
from suanli.quality.suites import warm_up
assert "sqlalchemy.orm" not in sys.modules, "imported before warm_up: the check proves nothing"
warm_up()
orm = sys.modules.get("sqlalchemy.orm")
print(orm is not None and not getattr(orm.__spec__, "_initializing", False))
"""


def test_warm_up_leaves_no_half_imported_sqlalchemy_orm_to_the_calling_thread() -> None:
    """GX's import of sqlalchemy.orm registers hooks in sqlalchemy core before it is whole; a
    run's steps use core meanwhile (Dagster's event log), so the caller imports it first."""
    result = subprocess.run(
        [sys.executable, "-c", WARM_UP_THEN_INSPECT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True"

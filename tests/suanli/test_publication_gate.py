"""Publishing alone (`dagster asset materialize --select published/marts`, what a user runs)
publishes only marts whose build passed every blocking check, with that build's deliveries.

Each test works on a copy of the session's first run (`copied_warehouse`), whose marts were
built and audited by that run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from cli_runs import REPO_ROOT, RUN_ID, marts_build, paths, sha256

from suanli.publish.assets import mart_keys
from suanli.publish.marts import last_publication
from suanli.transform.assets import load_manifest
from suanli.transform.builds import current_deliveries, publications

pytestmark = pytest.mark.integration


def dagster_materialize(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`dagster asset materialize -m suanli.definitions …`, as a user runs it."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "asset", "materialize",
         "-m", "suanli.definitions", *args],
        env=environment, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_publishing_alone_after_a_failed_audit_is_refused_naming_the_check(
    copied_warehouse: dict[str, str], cli, landing_with_registry, without_one_city
) -> None:
    work, published = paths(copied_warehouse)
    before, audited = sha256(published), marts_build(work)
    # A registry that passes intake but leaves a hosting city without centres: the blocking
    # city-coverage suite fails.
    landing = landing_with_registry(without_one_city)
    failed = cli(
        {**copied_warehouse, "SUANLI_LANDING": str(landing)}, "materialize", "--years", "2025"
    )
    assert failed.returncode == 1, failed.stdout[-3000:]
    failed_run = RUN_ID.search(failed.stdout).group(1)

    attempt = dagster_materialize(copied_warehouse, "--select", "published/marts")

    output = attempt.stdout + attempt.stderr
    assert attempt.returncode != 0, output[-3000:]
    # The failed run built the candidate marts of the work file (dbt builds them with the tables
    # they read, in one step); its audit of those tables failed, so they are not published.
    assert marts_build(work).run_id == failed_run != audited.run_id
    assert (
        f"published/marts refused: the marts of {work} were built by run {failed_run}"
    ) in output
    assert (
        "intermediate/int_indicator_values: gx_city_coverage — failed in the build run "
        f"{failed_run}"
    ) in output
    assert "Nothing was published" in output
    assert sha256(published) == before


def test_marts_rebuilt_without_their_upstream_audits_are_refused_naming_the_missing_checks(
    copied_warehouse: dict[str, str],
) -> None:
    work, published = paths(copied_warehouse)
    before, first = sha256(published), marts_build(work)
    # Someone rebuilds only the marts: their own checks pass, nothing upstream is audited.
    marts = ",".join(key.to_user_string() for key in mart_keys(load_manifest()))
    rebuilt = dagster_materialize(copied_warehouse, "--select", marts)
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    build = marts_build(work)
    assert build.run_id != first.run_id

    attempt = dagster_materialize(copied_warehouse, "--select", "published/marts")

    output = attempt.stdout + attempt.stderr
    assert attempt.returncode != 0, output[-3000:]
    assert f"were built by run {build.run_id}" in output
    assert "Failed (" not in output and "Missing (" in output
    for check in (
        "raw/compute_centres: gx_compute_centres",
        "intermediate/int_node_scores: gx_index_scores",
        "staging/stg_compute_centres: gx_registry_cities",
    ):
        assert (
            f"{check} — not evaluated by the build run (latest evaluation: run {first.run_id})"
        ) in output
    assert "marts/fct_index_scores: gx_index_scores" not in output, "the marts' own passed"
    assert sha256(published) == before


def test_publishing_alone_publishes_the_audited_build_with_the_deliveries_it_was_built_from(
    copied_warehouse: dict[str, str], tmp_path: Path
) -> None:
    work, published = paths(copied_warehouse)
    build = marts_build(work)
    # A raw-only run loads a newer network delivery after the marts were built.
    landing = tmp_path / "landing"
    shutil.copytree(REPO_ROOT / "seeds" / "snapshot", landing)
    network = landing / "network_stats" / "network_stats_2025.csv"
    original = network.read_text(encoding="utf-8")
    corrected = original.replace(
        "北京,2025,12,21783268,83.8,370971,", "北京,2025,12,21783268,83.8,370999,"
    )
    assert corrected != original
    network.write_text(corrected, encoding="utf-8")
    loaded = dagster_materialize(
        {**copied_warehouse, "SUANLI_LANDING": str(landing)},
        "--select", "raw/network_stats", "--partition", "2025",
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    with duckdb.connect(str(work), read_only=True) as connection:
        now_current = current_deliveries(connection)
    assert sha256(network) in {d["sha256"] for d in now_current}
    assert now_current != build.deliveries

    # The same build is published already: publishing it again changes nothing, byte for byte.
    before = sha256(published)
    again = dagster_materialize(copied_warehouse, "--select", "published/marts")
    assert again.returncode == 0, again.stderr[-3000:]
    assert sha256(published) == before
    # With the BI file gone (moved away, a new reader host), publishing alone writes it anew.
    published.unlink()
    attempt = dagster_materialize(copied_warehouse, "--select", "published/marts")

    assert attempt.returncode == 0, attempt.stderr[-3000:]
    publication = last_publication(published)
    assert publication["built_by_run"] == build.run_id != publication["run_id"]
    assert publication["deliveries"] == build.deliveries
    assert sha256(network) not in {d["sha256"] for d in publication["deliveries"]}
    with duckdb.connect(str(work), read_only=True) as connection:
        history = publications(connection)
    assert history[-1]["run_id"] == publication["run_id"]
    assert history[-1]["deliveries"] == build.deliveries

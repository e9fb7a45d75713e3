"""A corrected delivery rebuilds only what reads its source, on the audited build before it, and
publishes the marts a whole rebuild of the same deliveries publishes.

Two copies of the session's first run receive the same corrected 2025 registry: one runs
`materialize --years 2025` (planned as a partial rebuild), the other the same with `--force` (a
whole rebuild, every model and check).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from cli_runs import RUN_ID, marts_build, paths
from dagster import AssetKey, DagsterEventType, DagsterInstance

from suanli.publish.marts import last_publication
from suanli.report import build_report
from suanli.transform.builds import MartsBuild

pytestmark = pytest.mark.integration

# Columns that say when and where each copy received the same files.
RECEIVED = {"dim_delivery": " exclude (received_at, archived_path)"}


@dataclass
class Rebuild:
    env: dict[str, str]
    result: subprocess.CompletedProcess[str]
    run_id: str
    base: MartsBuild  # the first run's build, which the copy started from
    build: MartsBuild  # the build after the run

    def materialisations(self) -> dict[AssetKey, dict]:
        """Each asset the run materialised, with its metadata values."""
        with DagsterInstance.from_config(self.env["DAGSTER_HOME"]) as instance:
            records = instance.get_records_for_run(
                self.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
            ).records
        return {
            event.asset_key: {
                key: value.value for key, value in event.materialization.metadata.items()
            }
            for event in (record.event_log_entry.dagster_event for record in records)
        }

    def materialised(self) -> set[AssetKey]:
        return set(self.materialisations())


@pytest.fixture(scope="module")
def rebuilds(
    tmp_path_factory,
    first_run_root,
    doubled_registry_run,
    copy_of_first_run,
    landing_with_registry,
    doubled_intelligent_compute,
    cli,
) -> dict[str, Rebuild]:
    base = marts_build(first_run_root / "build" / "warehouse" / "suanli.duckdb")

    def rebuild(env: dict[str, str], result: subprocess.CompletedProcess[str]) -> Rebuild:
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        run_id = RUN_ID.findall(result.stdout)[-1]
        return Rebuild(env, result, run_id, base, marts_build(paths(env)[0]))

    # The partial run is the session's (test_old_duckdb reads it too).
    partial = rebuild(*doubled_registry_run(tmp_path_factory.mktemp("partial")))
    env = {
        **copy_of_first_run(tmp_path_factory.mktemp("whole")),
        "SUANLI_LANDING": str(landing_with_registry(doubled_intelligent_compute)),
    }
    whole = rebuild(env, cli(env, "materialize", "--years", "2025", "--force"))
    return {"partial": partial, "whole": whole}


def test_the_run_says_it_rebuilds_what_reads_the_changed_source(rebuilds) -> None:
    partial = rebuilds["partial"]
    assert (
        f"rebuilding what reads compute_centres on the audited build of run {partial.base.run_id}"
    ) in partial.result.stdout
    assert partial.build.run_id == partial.run_id
    assert partial.build.base == partial.base.run_id
    assert rebuilds["whole"].build.base is None


def test_only_the_changed_source_and_what_reads_it_are_materialised(rebuilds) -> None:
    partial, whole = rebuilds["partial"].materialised(), rebuilds["whole"].materialised()

    # the registry, what reads it, and what reads the deliveries log its intake writes
    for key in ("raw/compute_centres", "staging/stg_compute_centres", "marts/dim_delivery",
                "marts/fct_index_scores", "published/marts", "report/blue_book"):  # fmt: skip
        assert AssetKey(key.split("/")) in partial, key
    # other sources, their staging (each reads only its own source's rows of the deliveries
    # log), the weights, the reference tables: as the first run left them
    for key in ("raw/network_stats", "raw/patents", "staging/stg_patents",
                "staging/stg_network_stats", "marts/fct_index_weights", "reference/cities",
                "staging/stg_index_nodes"):  # fmt: skip
        assert AssetKey(key.split("/")) in whole - partial, key


def test_it_publishes_what_a_whole_rebuild_publishes(rebuilds) -> None:
    published = {name: paths(rebuild.env)[1] for name, rebuild in rebuilds.items()}
    assert last_publication(published["partial"])["built_by_run"] == rebuilds["partial"].run_id

    tables, publications = {}, {}
    for name, path in published.items():
        with duckdb.connect(str(path), read_only=True) as connection:
            names = [
                table
                for (table,) in connection.execute(
                    "select table_name from duckdb_tables() where schema_name = 'marts' "
                    "and table_name <> '_publication' order by table_name"
                ).fetchall()
            ]
            tables[name] = {
                table: connection.execute(
                    f"select *{RECEIVED.get(table, '')} from marts.{table} order by all"
                ).fetchall()
                for table in names
            }
            # the same row counts, from the same delivery files (received at other times)
            publications[name] = connection.execute(
                "select tables, list_sort([d ->> 'sha256' for d in deliveries::json[]]) "
                "from marts._publication"
            ).fetchall()
    assert publications["partial"] == publications["whole"]
    assert tables["partial"].keys() == tables["whole"].keys()
    assert len(tables["partial"]) > 10
    differ = [table for table, rows in tables["whole"].items() if tables["partial"][table] != rows]
    assert differ == []


def test_the_report_draws_again_only_the_charts_the_correction_moved(rebuilds, tmp_path) -> None:
    partial = rebuilds["partial"]
    report = partial.materialisations()[AssetKey(["report", "blue_book"])]
    assert 0 < report["charts_drawn"] < report["charts"]
    # the charts kept from the first run's report are those a report drawn from scratch shows
    scratch = build_report(paths(partial.env)[1], tmp_path)
    assert len(scratch.charts) == report["charts"]

    def pngs(folder: Path) -> dict[str, bytes]:
        return {png.name: png.read_bytes() for png in sorted(folder.glob("charts/*.png"))}

    assert pngs(Path(partial.env["SUANLI_REPORT_DIR"])) == pngs(tmp_path)

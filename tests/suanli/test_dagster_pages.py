"""What the Dagster UI says about each asset is true: owners, descriptions (no SQL dump), code
versions, freshness policies, a description on every check, who reads the marts (exposures);
and after a run, each year partition of a raw source shows its own rows and files, a year
before the source's first holds nothing and says so, and each dbt table's row count is its
count in the warehouse."""

from __future__ import annotations

import re

import duckdb
import pytest
from dagster import AssetKey, AssetRecordsFilter, DagsterInstance, Definitions

from suanli.definitions import defs
from suanli.owners import TEAMS
from suanli.transform.assets import dbt_models, load_manifest, translator
from suanli.transform.row_counts import ROW_COUNT

REGISTRY = AssetKey(["raw", "compute_centres"])
HISTORY_YEARS = [2016, 2017, 2018, 2019, 2020]  # System C's shipment history: no scores


@pytest.fixture(scope="module")
def graph():
    Definitions.validate_loadable(defs)
    return defs.get_repository_def().asset_graph


def test_every_asset_has_an_owner_of_a_known_team(graph) -> None:
    for key in graph.get_all_asset_keys():
        owners = graph.get(key).owners
        assert owners and set(owners) <= set(TEAMS), (key.to_user_string(), owners)
    # dbt owners are set per folder in dbt_project.yml: scores are the method's, staging data's
    assert graph.get(AssetKey(["intermediate", "int_node_scores"])).owners == [TEAMS[1]]
    assert graph.get(AssetKey(["staging", "stg_compute_centres"])).owners == [TEAMS[0]]


def test_descriptions_say_what_an_asset_holds_not_its_sql(graph) -> None:
    for key in graph.get_all_asset_keys():
        description = graph.get(key).description or ""
        assert description.strip(), key.to_user_string()
        assert not re.search(r"\bselect\b|raw sql", description, re.IGNORECASE), key


def test_every_check_says_what_it_checks(graph) -> None:
    for key in graph.asset_check_keys:
        assert (graph.get_check_spec(key).description or "").strip(), key


def test_python_assets_have_code_versions_and_sources_freshness_policies(graph) -> None:
    dbt_keys = set(dbt_models.keys)
    python = [key for key in graph.materializable_asset_keys if key not in dbt_keys]
    assert REGISTRY in python and AssetKey(["report", "blue_book"]) in python
    for key in python:
        assert graph.get(key).code_version, key.to_user_string()
    # the windows of config/freshness.yml, which the stale-source alerts read too
    assert graph.get(REGISTRY).freshness_policy.fail_window.to_timedelta().days == 400
    questionnaires = graph.get(AssetKey(["raw", "expert_judgements"])).freshness_policy
    assert questionnaires.fail_window.to_timedelta().days == 3650


def test_exposures_show_who_reads_the_marts(graph) -> None:
    report = graph.get(AssetKey(["exposures", "blue_book_report"]))
    assert not report.is_materializable
    assert {AssetKey(["report", "blue_book"]), AssetKey(["marts", "fct_index_scores"])} <= (
        report.parent_keys
    )
    bi_file = graph.get(AssetKey(["exposures", "bi_marts_file"]))
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    assert marts | {AssetKey(["published", "marts"])} <= bi_file.parent_keys


# ------------------------------------------------------------------------------ after a run


@pytest.fixture(scope="module")
def run_copy(copy_of_first_run, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A copy of the session's first run (every year, 2016–2025), its instance and work file."""
    return copy_of_first_run(tmp_path_factory.mktemp("dagster_pages"))


def latest(instance: DagsterInstance, key: AssetKey, partition: str | None = None) -> dict:
    records = instance.fetch_materializations(
        AssetRecordsFilter(key, asset_partitions=[partition] if partition else None), limit=1
    ).records
    assert records, (key.to_user_string(), partition)
    metadata = records[0].asset_materialization.metadata
    return {name: value.value for name, value in metadata.items()}


def test_each_year_of_a_raw_source_shows_its_own_rows_and_files(run_copy) -> None:
    with DagsterInstance.from_config(run_copy["DAGSTER_HOME"]) as instance:
        before_first = latest(instance, REGISTRY, "2016")
        year = latest(instance, REGISTRY, "2025")
    assert before_first[ROW_COUNT] == before_first["rows"] == 0
    assert before_first["files"] == [] and "delivered from 2022" in before_first["note"]
    assert year["files"] == ["compute_centres_2025.csv"]
    with duckdb.connect(run_copy["SUANLI_WAREHOUSE"], read_only=True) as connection:
        (rows,) = connection.execute(
            "select count(*) from raw.compute_centres c join raw.deliveries d "
            "on c._delivery_id = d.delivery_id and d.source = 'compute_centres' "
            "where d.is_current and d.partition_key = '2025'"
        ).fetchone()
    assert year[ROW_COUNT] == year["rows"] == rows > 0
    assert [delivery["sha256"] for delivery in year["in_force"]] == [
        item["sha256"] for item in year["this_run"]
    ]


def relations_by_key() -> dict[AssetKey, tuple[str, str]]:
    """Each dbt model's and seed's Dagster key → the (schema, name) dbt builds for it."""
    return {
        translator.get_asset_key(node): (node["schema"], node.get("alias") or node["name"])
        for node in load_manifest()["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def test_each_dbt_table_shows_its_row_count_and_the_years_it_lacks(run_copy) -> None:
    relations = relations_by_key()
    with (
        DagsterInstance.from_config(run_copy["DAGSTER_HOME"]) as instance,
        duckdb.connect(run_copy["SUANLI_WAREHOUSE"], read_only=True) as connection,
    ):
        for key in dbt_models.keys:
            metadata = latest(instance, key)
            (rows,) = connection.execute(
                'select count(*) from "{}"."{}"'.format(*relations[key])
            ).fetchone()
            assert metadata[ROW_COUNT] == rows, key.to_user_string()
        scores = latest(instance, AssetKey(["intermediate", "int_node_scores"]))
    assert scores["years_without_rows"] == HISTORY_YEARS
    assert set(scores["rows_by_year"]) == {str(year) for year in range(2021, 2026)}

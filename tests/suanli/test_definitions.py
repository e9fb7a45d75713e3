"""The code location loads, and its asset graph is what engineers see in the Dagster UI."""

from __future__ import annotations

import pytest
from dagster import AssetKey, Definitions

from suanli.definitions import defs


@pytest.fixture(scope="module")
def repository():
    Definitions.validate_loadable(defs)
    return defs.get_repository_def()


def test_every_layer_is_a_group(repository) -> None:
    graph = repository.asset_graph
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups >= {"raw", "definitions", "reference", "staging", "intermediate", "marts"}


def test_sources_are_partitioned_by_year_and_dbt_builds_in_one_step(repository) -> None:
    graph = repository.asset_graph
    # System C's years (2021-2024) and its shipment history from 2016 (`history_from`), then
    # Systems A/A'/city (2022-2025)
    expected_years = [str(year) for year in range(2016, 2026)]
    for key in (["raw", "compute_centres"], ["raw", "network_stats"]):
        partitions = graph.get(AssetKey(key)).partitions_def
        assert partitions is not None, key
        assert partitions.get_partition_keys() == expected_years, key
    # Every dbt model is built by one dbt invocation (one step), for the run's years.
    steps = {
        graph.get(key).assets_def.node_def.name
        for key in graph.get_all_asset_keys()
        if key.path[0] in ("staging", "intermediate", "marts")
    }
    assert steps == {"dbt_models"}
    assert graph.get(AssetKey(["intermediate", "int_node_scores"])).partitions_def is None
    # a yearly source is only looked for from its first delivered year on
    from suanli.intake.catalog import source_specs
    from suanli.transform.assets import load_manifest

    specs = {spec.name: spec for spec in source_specs(load_manifest())}
    assert specs["server_shipments"].delivers("2016")
    assert not specs["compute_centres"].delivers("2021") and specs["compute_centres"].delivers(
        "2022"
    )
    # cumulative record lists and the published marts are not split by year
    assert graph.get(AssetKey(["raw", "patents"])).partitions_def is None
    assert graph.get(AssetKey(["marts", "fct_index_scores"])).partitions_def is None


def test_gx_checks_gate_the_marts_and_re_check_them(repository) -> None:
    graph = repository.asset_graph
    from suanli.quality.gate import gates_publication

    checks = {
        (tuple(key.asset_key.path), key.name): gates_publication(graph.get_check_spec(key))
        for key in graph.asset_check_keys
        if key.name.startswith("gx_")
    }
    assert checks[(("raw", "compute_centres"), "gx_compute_centres")] is True
    assert checks[(("intermediate", "int_node_scores"), "gx_index_scores")] is True
    assert checks[(("intermediate", "int_indicator_scores"), "gx_indicator_coverage")] is True
    # The same suites re-check the marts and, blocking, gate what BI reads.
    assert checks[(("marts", "fct_index_scores"), "gx_index_scores")] is True


def test_publication_waits_for_every_mart(repository) -> None:
    graph = repository.asset_graph
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    published = graph.get(AssetKey(["published", "marts"]))
    assert marts and marts <= published.parent_keys
    for downstream in (["report", "blue_book"], ["exports", "marts"]):
        assert published.key in graph.get(AssetKey(downstream)).parent_keys


def test_dbt_tests_are_asset_checks_too(repository) -> None:
    names = {key.name for key in repository.asset_graph.asset_check_keys}
    assert any(name.startswith("unique_combination") for name in names)
    assert "children_weights_sum_to_one_int_index_weights_local_weight" in names


def test_marts_depend_on_the_audited_intermediate_tables(repository) -> None:
    graph = repository.asset_graph
    parents = graph.get(AssetKey(["marts", "fct_index_scores"])).parent_keys
    assert AssetKey(["intermediate", "int_node_scores"]) in parents


def test_every_judgement_matrix_flows_from_the_definitions_to_a_mart(repository) -> None:
    graph = repository.asset_graph
    experts = AssetKey(["definitions", "index_node_experts"])
    staged = AssetKey(["staging", "stg_index_node_experts"])
    assert experts in graph.get(staged).parent_keys
    assert staged in graph.get(AssetKey(["marts", "fct_index_expert_judgements"])).parent_keys
    systems = graph.get(AssetKey(["marts", "dim_index_system"])).parent_keys
    assert AssetKey(["staging", "stg_index_systems"]) in systems


def test_publication_is_gated_by_every_blocking_check_upstream_of_it(repository) -> None:
    from suanli.publish.assets import PUBLISHED_KEY
    from suanli.quality.gate import gating_checks

    checks = {(key.asset_key.to_user_string(), key.name) for key in gating_checks(
        repository.asset_graph, PUBLISHED_KEY
    )}  # fmt: skip
    # GX suites and dbt tests, on the marts and all the way up to the raw registry …
    assert ("raw/compute_centres", "gx_compute_centres") in checks
    assert ("intermediate/int_node_scores", "gx_index_scores") in checks
    assert ("marts/fct_index_scores", "gx_index_scores") in checks
    assert any(asset.startswith("marts/") and not name.startswith("gx_") for asset, name in checks)
    # … but not the checks that only warn.
    assert ("intermediate/int_indicator_values", "gx_indicator_year_on_year") not in checks
    assert ("raw/compute_centres", "delivery_accepted") not in checks
    # nor the coherence of the index definition: a WARN for the method's owners
    assert ("marts/fct_node_coherence", "node_coherence") not in checks


def test_the_coherence_check_warns_the_method_owners_without_blocking(repository) -> None:
    from dagster import AssetCheckKey

    from suanli.alerts.events import check_audience

    key = AssetCheckKey(AssetKey(["marts", "fct_node_coherence"]), "node_coherence")
    spec = repository.asset_graph.get_check_spec(key)
    assert not spec.blocking and check_audience(spec) == "method"
    gx = AssetCheckKey(AssetKey(["marts", "fct_index_scores"]), "gx_index_scores")
    assert check_audience(repository.asset_graph.get_check_spec(gx)) == "data"

"""Scores and ranks under the previous and the current weights version (suanli.index.panel)."""

from suanli.index.panel.shifts import empty_table, rank_shift_table, version_pairs
from suanli.index.robustness.tables import VALUE_COLUMNS


def model(dbt, session):
    dbt.config(materialized="table")
    versions = dbt.ref("stg_index_weight_versions").df()
    node_weights = dbt.ref("stg_index_node_weight_versions").df()
    # dbt finds a Python model's dependencies by reading these calls: literal names only.
    systems = dbt.ref("stg_index_systems").df()
    nodes = dbt.ref("stg_index_nodes")
    experts = dbt.ref("stg_index_node_experts")
    values = dbt.ref("int_indicator_values")
    provinces = dbt.ref("provinces")
    if not version_pairs(versions):
        return empty_table()  # no system has had a second weights version: nothing to read
    frames = {
        "systems": systems,
        "nodes": nodes.df(),
        "experts": experts.df(),
        "values": values.project(VALUE_COLUMNS).df(),
        "provinces": provinces.df(),
    }
    return rank_shift_table(frames, versions, node_weights)

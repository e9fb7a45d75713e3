"""Each unit's composite rank without each indicator in turn (suanli.index.robustness)."""

from suanli.index.robustness.tables import VALUE_COLUMNS, leave_one_out_table
from suanli.transform.dbt_command import selected_years


def model(dbt, session):
    # Rebuilt for the run's years only (empty = all), as int_node_scores is.
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="year",
        tags=["by_year"],
    )
    years = selected_years(dbt.config.get("years")) if dbt.is_incremental else []
    # dbt finds a Python model's dependencies by reading these calls: literal names only.
    frames = {
        "systems": dbt.ref("stg_index_systems").df(),
        "nodes": dbt.ref("stg_index_nodes").df(),
        "experts": dbt.ref("stg_index_node_experts").df(),
        "values": dbt.ref("int_indicator_values").project(VALUE_COLUMNS).df(),
        "provinces": dbt.ref("provinces").df(),
    }
    return leave_one_out_table(frames, years)

"""The audit's tables, as the dbt Python models under models/intermediate/robustness/ return
them: one frame over every system, year and unit level of the warehouse."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

import duckdb
import pandas as pd

from suanli.index.robustness.choices import choices_for, load_choices
from suanli.index.robustness.coin import Coin, coins_from_frames
from suanli.index.robustness.uncertainty import (
    Choices,
    leave_one_out,
    rank_uncertainty,
    sobol_indices,
)
from suanli.settings import uncertainty_file

# Where a coin's inputs are in the work file, by coins_from_frames' argument (the dbt Python
# models name them by ref(): dbt reads those calls to know their dependencies).
RELATIONS = {
    "systems": "staging.stg_index_systems",
    "nodes": "staging.stg_index_nodes",
    "experts": "staging.stg_index_node_experts",
    "values": "intermediate.int_indicator_values",
    "provinces": "reference.provinces",
}
# The columns of int_indicator_values a coin reads. Its lineage (a list of structs per value)
# would cost about 2 s of Python objects per read.
VALUE_COLUMNS = "year, unit_level, unit_code, indicator_code, raw_value"


def frames_from_warehouse(connection: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    return {
        name: connection.sql(
            f"select {VALUE_COLUMNS if name == 'values' else '*'} from {table}"
        ).df()
        for name, table in RELATIONS.items()
    }


def _coins_and_choices(
    frames: dict[str, pd.DataFrame], years: Collection[int]
) -> Iterator[tuple[Coin, Choices]]:
    by_system = load_choices(uncertainty_file())
    for coin in coins_from_frames(**frames, years=set(years) or None):
        yield coin, choices_for(by_system, coin.system_code)


KEYS = {"system_code": "object", "year": "int64", "unit_level": "object"}
# Each table's columns and types, for a build with nothing to audit (DuckDB cannot create a
# table from a frame without columns).
SCHEMAS = {
    "rank_uncertainty": {
        **KEYS,
        **dict.fromkeys(["unit_code", "node_code"], "object"),
        **dict.fromkeys(
            ["nominal_score", "nominal_rank", "median_rank", "rank_p5", "rank_p95",
             "top10_share", "score_mean", "score_p5", "score_p95"],
            "float64",
        ),
        **dict.fromkeys(["runs", "score_runs"], "int64"),
    },
    "sensitivity": {
        **KEYS,
        "factor": "object",
        **dict.fromkeys(
            ["first_order", "first_order_conf", "total_order", "total_order_conf",
             "mean_rank_shift"],
            "float64",
        ),
        "runs": "int64",
    },
    "leave_one_out": {
        **KEYS,
        **dict.fromkeys(["indicator_code", "unit_code"], "object"),
        **dict.fromkeys(["nominal_rank", "rank_without", "rank_shift"], "int64"),
    },
}  # fmt: skip


def _stack(
    frames: dict[str, pd.DataFrame],
    years: Collection[int],
    table: Callable[[Coin, Choices], pd.DataFrame],
    schema: dict[str, str],
) -> pd.DataFrame:
    parts = [table(coin, choices) for coin, choices in _coins_and_choices(frames, years)]
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=kind) for column, kind in schema.items()})
    return pd.concat(parts, ignore_index=True)[list(schema)]


def rank_uncertainty_table(frames: dict[str, pd.DataFrame], years: Collection[int]) -> pd.DataFrame:
    return _stack(frames, years, rank_uncertainty, SCHEMAS["rank_uncertainty"])


def sensitivity_table(frames: dict[str, pd.DataFrame], years: Collection[int]) -> pd.DataFrame:
    return _stack(frames, years, sobol_indices, SCHEMAS["sensitivity"])


def leave_one_out_table(frames: dict[str, pd.DataFrame], years: Collection[int]) -> pd.DataFrame:
    return _stack(frames, years, lambda coin, _: leave_one_out(coin), SCHEMAS["leave_one_out"])

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


def frames_from_warehouse(connection: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    return {
        name: connection.sql(f"select * from {table}").df() for name, table in RELATIONS.items()
    }


def _coins_and_choices(
    frames: dict[str, pd.DataFrame], years: Collection[int]
) -> Iterator[tuple[Coin, Choices]]:
    by_system = load_choices(uncertainty_file())
    for coin in coins_from_frames(**frames, years=set(years) or None):
        yield coin, choices_for(by_system, coin.system_code)


def _stack(
    frames: dict[str, pd.DataFrame],
    years: Collection[int],
    table: Callable[[Coin, Choices], pd.DataFrame],
) -> pd.DataFrame:
    parts = [table(coin, choices) for coin, choices in _coins_and_choices(frames, years)]
    parts = [part for part in parts if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def rank_uncertainty_table(frames: dict[str, pd.DataFrame], years: Collection[int]) -> pd.DataFrame:
    return _stack(frames, years, rank_uncertainty)


def sensitivity_table(frames: dict[str, pd.DataFrame], years: Collection[int]) -> pd.DataFrame:
    return _stack(frames, years, sobol_indices)


def leave_one_out_table(frames: dict[str, pd.DataFrame], years: Collection[int]) -> pd.DataFrame:
    return _stack(frames, years, lambda coin, _: leave_one_out(coin))

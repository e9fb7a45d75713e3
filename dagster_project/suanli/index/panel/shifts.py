"""Ranks under the previous and the new weights version, every year, unit and inner node.

When a panel's questionnaires make a new weights version, every year is re-scored with it; this
table says what that changed. The scores under the previous version are made by the audit's
own aggregation (`suanli.index.robustness`), which reproduces the published scores from the
published weights, so the two sides differ by the weights alone. A node the previous version
did not weigh (the hierarchy changed since) keeps its current weight there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from suanli.index.robustness import steps
from suanli.index.robustness.coin import Coin, coins_from_frames
from suanli.index.robustness.uncertainty import Audit, Choices, excluded_units

COLUMNS = {
    "system_code": "object",
    "year": "int64",
    "unit_level": "object",
    "unit_code": "object",
    "node_code": "object",
    "previous_version": "int64",
    "current_version": "int64",
    "score_previous": "float64",
    "score_current": "float64",
    "rank_previous": "int64",
    "rank_current": "int64",
    "rank_shift": "int64",
}


def empty_table() -> pd.DataFrame:
    # DuckDB cannot create a table from a frame without columns.
    return pd.DataFrame({column: pd.Series(dtype=kind) for column, kind in COLUMNS.items()})


def version_pairs(versions: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """system → (previous, current) version: the current one and the one in force before it
    (the latest activated of the others)."""
    pairs = {}
    for system_code, rows in versions.groupby("system_code"):
        current = rows[rows["is_current"]]
        others = rows[~rows["is_current"]].sort_values(["activated_at", "weights_version"])
        if len(current) == 1 and not others.empty:
            pairs[str(system_code)] = (
                int(others["weights_version"].iloc[-1]),
                int(current["weights_version"].iloc[0]),
            )
    return pairs


def coin_shifts(
    coin: Coin, previous_weights: dict[str, float], versions: tuple[int, int]
) -> pd.DataFrame:
    """One coin's inner-node scores and ranks under both versions' local weights."""
    hierarchy = coin.hierarchy
    current = hierarchy.local_weights
    before = np.array(
        [previous_weights.get(code, w) for code, w in zip(hierarchy.codes, current, strict=True)]
    )
    nodes = len(hierarchy.codes)
    audit = Audit(coin, Choices(), np.empty((0, nodes)), np.empty((0, nodes)))
    scores = steps.aggregate(
        hierarchy, audit.indicator_scores(0, 0, 0), np.vstack([before, current])
    )
    scores[:, excluded_units(coin), :] = np.nan
    ranks = steps.competition_ranks(np.swapaxes(scores, 1, 2))  # (2, inner, units)
    inner_codes = [hierarchy.codes[i] for i in hierarchy.inner]
    units, inner = len(coin.units), len(inner_codes)
    frame = pd.DataFrame(
        {
            "system_code": coin.system_code,
            "year": coin.year,
            "unit_level": coin.unit_level,
            "unit_code": np.tile(coin.units, inner),
            "node_code": np.repeat(inner_codes, units),
            "previous_version": versions[0],
            "current_version": versions[1],
            "score_previous": np.swapaxes(scores[0], 0, 1).ravel(),
            "score_current": np.swapaxes(scores[1], 0, 1).ravel(),
            "rank_previous": ranks[0].ravel(),
            "rank_current": ranks[1].ravel(),
        }
    )
    frame = frame[frame["rank_current"] > 0]
    return frame.assign(rank_shift=frame["rank_previous"] - frame["rank_current"])


def rank_shift_table(
    frames: dict[str, pd.DataFrame], versions: pd.DataFrame, node_weights: pd.DataFrame
) -> pd.DataFrame:
    """Every system with a previous weights version: each year's scores and ranks under both;
    `rank_shift` > 0 where a unit moved up under the new weights."""
    pairs = version_pairs(versions)
    parts = []
    if pairs:
        systems = frames["systems"]
        frames = {**frames, "systems": systems[systems["system_code"].isin(list(pairs))]}
        for coin in coins_from_frames(**frames):
            previous, current = pairs[coin.system_code]
            rows = node_weights[
                (node_weights["system_code"] == coin.system_code)
                & (node_weights["weights_version"] == previous)
            ]
            weights = dict(zip(rows["node_code"], rows["local_weight"], strict=True))
            parts.append(coin_shifts(coin, weights, (previous, current)))
    if not parts:
        return empty_table()
    return pd.concat(parts, ignore_index=True)[list(COLUMNS)].astype(COLUMNS)

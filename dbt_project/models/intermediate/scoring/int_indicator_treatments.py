"""Outlier treatment of every tertiary indicator column before it is standardised.

One column is one system, year, unit level and indicator across the system's units. Each is
checked by COINr's rule (|skew| ≥ max_skew and excess kurtosis ≥ max_kurtosis) and, when the
system's definition says `treatment: {winsorise: true}`, treated: winsorised up to
max_winsorised points, else log-transformed (suanli.index.treat, which cites COINr's source).
Every column gets its record, treated or not, so that the flags show even with treatment off
(then treated_value = raw_value, bit for bit). int_indicator_scores scores treated_value.

A Python model (dbt-duckdb runs it in the dbt process): the iteration is COINr's own, and
the same module serves the Monte Carlo engine. Rebuilt whole every build (a table over every
year int_indicator_values holds: some 400 columns of 31 or 302 units, a fraction of a
second of numpy). Units are taken in unit_code order, so the sums behind skew and kurtosis,
and so their bits, are the same every run.
"""

import numpy as np
import pandas as pd

from suanli.index.treat import treat_column

KEY = ["system_code", "year", "unit_level", "indicator_code"]
STRINGS = ["system_code", "unit_level", "indicator_code", "unit_code", "treatment"]
INTEGERS = ["year", "n_units", "n_winsorised", "max_winsorised"]
DOUBLES = [
    "raw_value", "treated_value", "skew_before", "kurtosis_before", "skew_after",
    "kurtosis_after", "mode_share", "max_skew", "max_kurtosis",
]  # fmt: skip
FIGURES = ["skew_before", "kurtosis_before", "skew_after", "kurtosis_after", "mode_share"]
BOOLEANS = [
    "winsorise", "is_winsorised", "is_treated", "flagged", "flagged_after", "is_constant",
    "is_near_constant",
]  # fmt: skip
COLUMNS = [
    *KEY, "unit_code", "raw_value", "treated_value", "is_winsorised", "is_treated",
    "treatment", "flagged", "flagged_after", "n_units", "n_winsorised", "skew_before",
    "kurtosis_before", "skew_after", "kurtosis_after", "is_constant", "is_near_constant",
    "mode_share", "winsorise", "max_winsorised", "max_skew", "max_kurtosis",
]  # fmt: skip


def scoped_values(dbt) -> pd.DataFrame:
    """The raw values each system scores: its tertiary indicators, its unit level, its years,
    in key and unit_code order."""
    systems = (
        dbt.ref("stg_index_systems")
        .project(
            "system_code, unit_level, first_year, last_year, winsorise, max_winsorised, max_skew,"
            " max_kurtosis"
        )
        .df()
    )
    indicators = (
        dbt.ref("stg_index_nodes")
        .filter("n_children = 0")
        .project("system_code, node_code as indicator_code")
        .df()
    )
    values = (
        dbt.ref("int_indicator_values")
        .project("cast(year as integer) as year, unit_level, unit_code, indicator_code, raw_value")
        .df()
    )
    frame = systems.merge(indicators, on="system_code").merge(
        values, on=["unit_level", "indicator_code"]
    )
    frame = frame[frame["year"].between(frame["first_year"], frame["last_year"])]
    return frame.sort_values([*KEY, "unit_code"], kind="stable", ignore_index=True)


def treat(frame: pd.DataFrame) -> pd.DataFrame:
    n = len(frame)
    raw = frame["raw_value"].to_numpy(dtype=float, na_value=np.nan)
    out = {
        "treated_value": raw.copy(),
        "is_winsorised": np.zeros(n, dtype=bool),
        "is_treated": np.zeros(n, dtype=bool),
        "treatment": np.full(n, "none", dtype=object),
        "flagged": np.zeros(n, dtype=bool),
        "flagged_after": np.zeros(n, dtype=bool),
        "n_units": np.zeros(n, dtype=np.int32),
        "n_winsorised": np.zeros(n, dtype=np.int32),
        "is_constant": np.zeros(n, dtype=bool),
        "is_near_constant": np.zeros(n, dtype=bool),
        **{name: np.full(n, np.nan) for name in FIGURES},
    }
    if n:
        columns = frame.groupby(KEY, sort=False).ngroup().to_numpy()  # frame is in key order
        starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
        ends = np.r_[starts[1:], n]
        for start, end in zip(starts, ends, strict=True):
            first = frame.iloc[start]
            result = treat_column(
                raw[start:end],
                max_winsorised=int(first["max_winsorised"]),
                max_skew=float(first["max_skew"]),
                max_kurtosis=float(first["max_kurtosis"]),
                apply=bool(first["winsorise"]),
            )
            rows = slice(start, end)
            out["treated_value"][rows] = result.values
            out["is_winsorised"][rows] = result.winsorised
            out["is_treated"][rows] = result.treated
            out["treatment"][rows] = result.method
            out["flagged"][rows] = result.flagged
            out["flagged_after"][rows] = result.flagged_after
            out["n_units"][rows] = result.n_units
            out["n_winsorised"][rows] = result.n_winsorised
            out["is_constant"][rows] = result.constant
            out["is_near_constant"][rows] = result.near_constant
            out["skew_before"][rows] = result.skew_before
            out["kurtosis_before"][rows] = result.kurtosis_before
            out["skew_after"][rows] = result.skew_after
            out["kurtosis_after"][rows] = result.kurtosis_after
            out["mode_share"][rows] = result.mode_share
    treated = pd.DataFrame({**{name: frame[name].to_numpy() for name in frame.columns}, **out})
    # types stated, not inferred: an empty build (dbt --empty) must give the same table
    for name in STRINGS:
        treated[name] = treated[name].astype("string")
    for name in INTEGERS:
        treated[name] = treated[name].astype("int32")
    for name in DOUBLES:
        treated[name] = treated[name].astype("float64")
    for name in BOOLEANS:
        treated[name] = treated[name].astype(bool)
    return treated[COLUMNS]


def model(dbt, session):
    dbt.config(materialized="table")
    return treat(scoped_values(dbt))

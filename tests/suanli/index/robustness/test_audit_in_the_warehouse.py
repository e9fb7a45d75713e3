"""The audit on the session's pipeline run: it scores what the marts published, and its marts
hold together."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from suanli.index.robustness.coin import coins_from_frames
from suanli.index.robustness.tables import frames_from_warehouse
from suanli.index.robustness.uncertainty import Choices, audit_for, nominal_design, rank_uncertainty
from suanli.settings import published_marts_path

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def coins(env: dict[str, str], first_run) -> list:
    with duckdb.connect(env["SUANLI_WAREHOUSE"], read_only=True) as connection:
        return list(coins_from_frames(**frames_from_warehouse(connection)))


def published(env: dict[str, str], query: str) -> pd.DataFrame:
    marts = published_marts_path(Path(env["SUANLI_WAREHOUSE"]))
    with duckdb.connect(str(marts), read_only=True) as connection:
        return connection.sql(query).df()


def test_the_nominal_run_reproduces_every_published_score(env, coins) -> None:
    scores = published(
        env,
        "select system_code, year, unit_code, node_code, score from marts.fct_index_scores "
        "where (system_code, node_code) in "
        "(select (system_code, parent_code) from marts.fct_index_weights)",
    ).set_index(["system_code", "year", "unit_code", "node_code"])["score"]
    compared = 0
    for coin in coins:
        (nominal,) = audit_for(coin, Choices(), 1).scores(nominal_design())
        inner = [coin.hierarchy.codes[node] for node in coin.hierarchy.inner]
        for unit, row in zip(coin.units, nominal[0], strict=True):
            for node, value in zip(inner, row, strict=True):
                expected = scores.get((coin.system_code, coin.year, unit, node), np.nan)
                assert value == pytest.approx(expected, abs=1e-8, nan_ok=True), (
                    coin.system_code, coin.year, unit, node,
                )  # fmt: skip
                compared += 1
    assert compared == scores.size


def test_the_uncertainty_mart_ranks_as_published_and_brackets_its_median(env) -> None:
    frame = published(
        env,
        "select u.*, s.rank from marts.fct_rank_uncertainty u join marts.fct_index_scores s "
        "using (system_code, year, unit_level, unit_code, node_code)",
    )
    assert len(frame) == published(env, "select count(*) n from marts.fct_rank_uncertainty")["n"][0]
    assert (frame["nominal_rank"] == frame["rank"]).all()
    assert (frame["rank_p5"] <= frame["median_rank"]).all()
    assert (frame["median_rank"] <= frame["rank_p95"]).all()
    assert set(frame["runs"]) == {200}  # tests/uncertainty_few_runs.yml
    assert frame["system_code"].nunique() == 5 and "city" in set(frame["unit_level"])


def test_sensitivity_and_leave_one_out_marts_hold_together(env) -> None:
    sensitivity = published(env, "select * from marts.fct_sensitivity")
    assert set(sensitivity["factor"]) >= {"judgements", "weight_noise", "normalisation"}
    assert (sensitivity["first_order"] <= sensitivity["total_order"] + 0.2).all()
    left_out = published(env, "select * from marts.fct_leave_one_out")
    assert (left_out["rank_shift"] == left_out["nominal_rank"] - left_out["rank_without"]).all()
    assert left_out.groupby(["system_code", "year"])["indicator_code"].nunique().min() > 1


def test_another_seed_moves_no_top_10_median_by_more_than_one_rank(coins) -> None:
    (coin,) = [c for c in coins if (c.system_code, c.year) == ("comprehensive_v4", 2025)]
    medians = [
        rank_uncertainty(coin, Choices(runs=10_000, seed=seed))
        .query("node_code == 'composite' and nominal_rank <= 10")
        .set_index("unit_code")["median_rank"]
        for seed in (2025, 7)
    ]
    assert (medians[0] - medians[1]).abs().max() <= 1

"""System A′ and the history marts on the session's full run of the bundled snapshot: the
3.0 approximation covers what System A covers, and rank history, Top 10 across years and
national shares agree with the facts they are made from."""

from __future__ import annotations

import pytest

from suanli.index.catalogue import load_catalogue

pytestmark = pytest.mark.integration

YEARS = (2022, 2023, 2024, 2025)
ADDITIVE = [code for code, indicator in load_catalogue().items() if indicator.additive]


# --- System A′ -----------------------------------------------------------------------------------


def test_system_a_prime_has_35_indicators_for_31_provinces_in_every_year(warehouse) -> None:
    counts = warehouse.execute(
        "select year, count(distinct indicator_code), count(distinct unit_code), count(*),"
        " count(raw_value), min(score), max(score) from marts.fct_indicator_values"
        " where system_code = 'comprehensive_v3' group by year order by year"
    ).fetchall()
    assert [row[:5] for row in counts] == [(year, 35, 31, 35 * 31, 35 * 31) for year in YEARS]
    assert all(row[5] == 0 and row[6] == 100 for row in counts)


def test_system_a_prime_ranks_31_provinces_on_every_node_within_0_100(warehouse) -> None:
    by_level = {
        level: rest
        for level, *rest in warehouse.execute(
            "select node_level, count(distinct node_code), min(score), max(score), min(rank),"
            " max(rank), count(*) from marts.fct_index_scores"
            " where system_code = 'comprehensive_v3' group by node_level"
        ).fetchall()
    }
    assert {level: row[0] for level, row in by_level.items()} == {
        "composite": 1, "primary": 4, "secondary": 9, "tertiary": 35,
    }  # fmt: skip
    for _, minimum, maximum, best, worst, _ in by_level.values():
        assert 0 <= minimum < maximum <= 100 and best == 1 and worst <= 31
    assert sum(row[-1] for row in by_level.values()) == 49 * 31 * len(YEARS)


def test_system_a_prime_scores_its_shared_subtrees_exactly_as_system_a(warehouse) -> None:
    compared, differing = warehouse.execute(
        "select count(*), count(*) filter (where a.score is distinct from a_prime.score)"
        " from marts.fct_index_scores a_prime join marts.fct_index_scores a"
        "  on a.system_code = 'comprehensive_v4' and a.year = a_prime.year"
        "  and a.unit_code = a_prime.unit_code and a.node_code = a_prime.node_code"
        " where a_prime.system_code = 'comprehensive_v3' and a_prime.node_code <> 'composite'"
    ).fetchone()
    assert compared == 48 * 31 * len(YEARS) and differing == 0


def test_system_a_prime_composite_is_the_weighted_sum_of_its_four_primaries(warehouse) -> None:
    worst_gap, units = warehouse.execute(
        "select max(abs(composite.score - weighted.score)), count(*)"
        " from marts.fct_index_scores composite"
        " join (select s.year, s.unit_code, sum(s.score * w.local_weight) as score"
        "       from marts.fct_index_scores s join marts.fct_index_weights w"
        "         on s.system_code = w.system_code and s.node_code = w.node_code"
        "       where w.system_code = 'comprehensive_v3' and w.parent_code = 'composite'"
        "       group by s.year, s.unit_code) weighted"
        "   on composite.year = weighted.year and composite.unit_code = weighted.unit_code"
        " where composite.system_code = 'comprehensive_v3' and composite.node_code = 'composite'"
    ).fetchone()
    assert units == 31 * len(YEARS) and worst_gap < 1e-9


def test_the_systems_mart_labels_the_approximation(warehouse) -> None:
    systems = {
        row[0]: row[1:]
        for row in warehouse.execute(
            "select system_code, is_approximation, approximates, standardisation, base_year,"
            " first_year, last_year, n_primary, n_secondary, n_tertiary"
            " from marts.dim_index_system"
        ).fetchall()
    }
    assert systems["comprehensive_v3"][0] is True and "3.0" in systems["comprehensive_v3"][1]
    assert systems["comprehensive_v4"][:2] == (False, None)
    assert systems["comprehensive_v4"][2:] == ("minmax_per_year", None, 2022, 2025, 5, 11, 39)
    assert systems["comprehensive_v3"][-3:] == (4, 9, 35)


# --- expert judgements ---------------------------------------------------------------------------


def test_every_inner_node_has_its_judgement_matrix_recorded(warehouse) -> None:
    missing, recorded, panels = warehouse.execute(
        "select count(*) filter (where e.node_code is null), count(e.node_code),"
        " count(*) filter (where e.aggregation = 'aij')"
        " from marts.fct_index_weights w left join marts.fct_index_expert_judgements e"
        "  on w.system_code = e.system_code and w.node_code = e.node_code"
        " where w.node_level <> 'tertiary'"
    ).fetchone()
    # System A 17 inner nodes, A′ 14, city 4, System C 19 (1 + 5 + 13), System D 16 (1 + 4 + 11)
    assert missing == 0 and recorded == 17 + 14 + 4 + 19 + 16 and panels == 0
    mismatched = warehouse.execute(
        "select count(*) from marts.fct_index_expert_judgements e join marts.fct_index_weights w"
        "  on w.system_code = e.system_code and w.node_code = e.node_code"
        " where e.consistency_ratio <> w.consistency_ratio or e.lambda_max <> w.lambda_max"
    ).fetchone()[0]
    assert mismatched == 0  # a single matrix is the node's own


# --- rank history --------------------------------------------------------------------------------


def test_rank_history_sets_each_year_beside_the_previous_one(warehouse) -> None:
    rows, inconsistent, first_years = warehouse.execute(
        "select count(*),"
        " count(*) filter (where h.previous_rank - h.rank is distinct from h.rank_change"
        "   or abs(h.score - h.previous_score - h.score_change) > 1e-12),"
        " count(*) filter (where h.previous_year is null)"
        " from marts.fct_rank_history h"
    ).fetchone()
    scores = warehouse.execute("select count(*) from marts.fct_index_scores").fetchone()[0]
    first_year_rows = warehouse.execute(
        "select count(*) from marts.fct_index_scores where year = 2022"
    ).fetchone()[0]
    assert rows == scores and inconsistent == 0 and first_years == first_year_rows
    guangdong = warehouse.execute(
        "select h.previous_rank, h.previous_score, h.unit_name_zh, h.node_name_zh,"
        " h.standardisation from marts.fct_rank_history h where h.system_code = 'comprehensive_v4'"
        " and h.node_code = 'composite' and h.unit_code = '440000' and h.year = 2025"
    ).fetchone()
    expected = warehouse.execute(
        "select rank, score from marts.fct_index_scores where system_code = 'comprehensive_v4'"
        " and node_code = 'composite' and unit_code = '440000' and year = 2024"
    ).fetchone()
    assert guangdong == (*expected, "广东省", "综合算力指数", "minmax_per_year")


# --- Top 10 across years ---------------------------------------------------------------------


def test_top10_across_years_has_a_column_group_for_every_year(warehouse) -> None:
    columns = [row[0] for row in warehouse.execute("describe marts.top10_across_years").fetchall()]
    assert columns == [
        "system_code", "unit_level", "node_code", "node_level", "node_name_zh", "place",
        # 2021: System C's first year; a year a system does not cover is null
        *(f"y{y}_{part}" for y in (2021, *YEARS) for part in ("unit_name_zh", "score", "rank")),
    ]  # fmt: skip


def test_top10_across_years_lists_each_years_top_10_in_rank_order(warehouse) -> None:
    for system in ("comprehensive_v4", "comprehensive_v3", "city_compute"):
        table = warehouse.execute(
            "select place, y2022_unit_name_zh, y2023_score, y2025_rank, y2025_unit_name_zh"
            " from marts.top10_across_years where system_code = ? and node_code = 'composite'"
            " order by place",
            [system],
        ).fetchall()
        assert [row[0] for row in table] == list(range(1, 11))
        for year in YEARS:
            expected = warehouse.execute(
                "select coalesce(p.name_zh, c.name_zh), s.score, s.rank"
                " from marts.fct_index_scores s"
                " left join marts.dim_province p on s.unit_code = p.province_code"
                " left join marts.dim_city c on s.unit_code = c.city_code"
                " where s.system_code = ? and s.node_code = 'composite' and s.year = ?"
                " order by s.rank, s.unit_code limit 10",
                [system, year],
            ).fetchall()
            shown = warehouse.execute(
                f"select y{year}_unit_name_zh, y{year}_score, y{year}_rank"
                " from marts.top10_across_years where system_code = ?"
                " and node_code = 'composite' order by place",
                [system],
            ).fetchall()
            assert shown == expected, (system, year)


# --- national shares -------------------------------------------------------------------------


def test_national_shares_cover_the_additive_indicators_of_each_province_system(warehouse) -> None:
    indicators = dict(
        warehouse.execute(
            "select system_code, list(distinct indicator_code order by indicator_code)"
            " from marts.fct_national_shares group by 1"
        ).fetchall()
    )
    v4 = warehouse.execute(
        "select list(node_code order by node_code) from marts.fct_index_weights"
        " where system_code = 'comprehensive_v4' and node_level = 'tertiary'"
    ).fetchone()[0]
    # no city system
    assert set(indicators) == {
        "comprehensive_v4",
        "comprehensive_v3",
        "development_v3",
        "service_v1",
    }
    assert indicators["comprehensive_v4"] == sorted(set(v4) & set(ADDITIVE))
    assert "genai_services_registered" not in indicators["comprehensive_v3"]
    assert set(indicators["comprehensive_v3"]) < set(indicators["comprehensive_v4"])


def test_national_shares_add_up_to_the_national_total(warehouse) -> None:
    totals = warehouse.execute(
        "select national_source, min(total), max(total), min(n), max(n) from ("
        "  select national_source, sum(share_pct) as total, count(*) as n"
        "  from marts.fct_national_shares group by system_code, year, indicator_code,"
        "  national_source) group by 1"
    ).fetchall()
    assert {row[0] for row in totals} == {"registry", "sum_of_provinces"}
    for _, low, high, fewest, most in totals:
        # the registry reconciles with its provinces within 0.01 % (gx_indicator_reconciliation)
        assert 99.99 <= low <= high <= 100.01 and fewest == most == 31


def test_the_cumulative_share_of_the_leaders_is_their_summed_share(warehouse) -> None:
    rows = warehouse.execute(
        "select share_rank, share_pct, cumulative_share_pct, raw_value / national_value"
        " from marts.fct_national_shares where system_code = 'comprehensive_v4'"
        " and year = 2025 and indicator_code = 'racks_in_use' order by share_rank"
    ).fetchall()
    assert [row[0] for row in rows] == list(range(1, 32))
    assert all(row[1] == pytest.approx(100 * row[3], rel=1e-12) for row in rows)
    assert rows[5][2] == pytest.approx(sum(row[1] for row in rows[:6]), rel=1e-12)
    # METHODOLOGY §7: the top six each exceed 60 万 racks and together hold more than 50 %
    assert rows[5][2] > 50

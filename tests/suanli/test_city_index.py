"""城市算力分指数: the 302 hosting cities, their reconciliation with provinces, and checks that
fail naming the offending cities when a registry loses, duplicates or mis-assigns one."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.integration

# 福建 is in no Top-10 fact of the registry, so removing one of its small cities changes no
# published figure: only the city checks can object.
QUIET_PROVINCE = "350000"


def test_dim_city_holds_all_333_divisions_and_flags_the_302_hosts(warehouse) -> None:
    by_type = dict(
        warehouse.execute("select city_type, count(*) from marts.dim_city group by 1").fetchall()
    )
    assert by_type == {
        "prefecture_city": 293, "autonomous_prefecture": 30, "prefecture": 7, "league": 3,
    }  # fmt: skip
    assert warehouse.execute(
        "select count(*) filter (where hosts_compute_centres), count(distinct province_code),"
        " count(*) filter (where province_code in ('110000', '120000', '310000', '500000'))"
        " from marts.dim_city"
    ).fetchone() == (302, 27, 0)


def test_the_city_index_ranks_exactly_the_302_hosting_cities_every_year(warehouse) -> None:
    per_year = warehouse.execute(
        "select s.year, count(distinct s.unit_code), max(s.rank),"
        " count(*) filter (where not c.hosts_compute_centres or c.city_code is null)"
        " from marts.fct_index_scores s left join marts.dim_city c on s.unit_code = c.city_code"
        " where s.system_code = 'city_compute' and s.node_code = 'composite'"
        " group by 1 order by 1"
    ).fetchall()
    assert [row[1:] for row in per_year] == [(302, 302, 0)] * 4


def test_city_figures_never_exceed_their_province(warehouse) -> None:
    excess = warehouse.execute(
        "select max(cities.total - province.raw_value) from ("
        "  select v.year, c.province_code, v.indicator_code, sum(v.raw_value) as total"
        "  from marts.fct_indicator_values v join marts.dim_city c on v.unit_code = c.city_code"
        "  where v.system_code = 'city_compute' and v.indicator_code in"
        "   ('racks_in_use', 'intelligent_compute', 'compute_revenue') group by all) cities"
        " join marts.fct_indicator_values province on province.system_code = 'comprehensive_v4'"
        "  and province.unit_code = cities.province_code and province.year = cities.year"
        "  and province.indicator_code = cities.indicator_code"
    ).fetchone()[0]
    assert excess <= 1e-9


def test_the_city_top_30_view_names_cities_and_provinces(warehouse) -> None:
    top = warehouse.execute(
        "select rank, city_name_zh, province_name_zh from marts.city_top30"
        " where year = 2025 order by rank"
    ).fetchall()
    assert len(top) == 30 and top[0][0] == 1
    assert all(city and province for _, city, province in top)


def smallest_city(warehouse_path: str) -> tuple[str, str]:
    # Closed before the next run: DuckDB lets no writer in while another process reads.
    with duckdb.connect(warehouse_path, read_only=True) as warehouse:
        return warehouse.execute(
            "select c.city_code, c.name_zh from marts.fct_indicator_values v"
            " join marts.dim_city c on v.unit_code = c.city_code"
            " where v.system_code = 'city_compute' and v.year = 2025"
            f" and v.indicator_code = 'racks_in_use' and c.province_code = '{QUIET_PROVINCE}'"
            " order by v.raw_value limit 1"
        ).fetchone()


def test_a_city_missing_from_the_registry_is_named(
    copied_warehouse, cli, landing_with_registry, latest_check_evaluation
) -> None:
    # a copy: these runs make a broken registry current, which must not leak into the
    # session's warehouse that later tests copy
    env = copied_warehouse
    _, name_zh = smallest_city(env["SUANLI_WAREHOUSE"])
    spellings = {name_zh, name_zh.removesuffix("市")}
    landing = landing_with_registry(lambda rows: [r for r in rows if r["city"] not in spellings])
    result = cli({**env, "SUANLI_LANDING": str(landing)}, "materialize", "--years", "2025")
    assert result.returncode == 1

    evaluation = latest_check_evaluation(
        ["intermediate", "int_indicator_values"], "gx_city_coverage", env
    )
    assert not evaluation.passed
    (failure,) = [
        f for f in evaluation.metadata["failed_expectations"].value if f["column"] == "status"
    ]
    assert failure["unexpected_count"] == 1
    assert failure["unexpected_sample"][0]["city_name_zh"] == name_zh
    assert failure["unexpected_sample"][0]["status"] == "missing from the index"


def test_a_duplicated_centre_is_quarantined_at_intake(
    copied_warehouse, cli, landing_with_registry, latest_check_evaluation
) -> None:
    # `centre_id` is a declared key: a registry listing a centre twice never becomes current.
    env = copied_warehouse
    landing = landing_with_registry(lambda rows: [*rows, rows[-1]])
    result = cli({**env, "SUANLI_LANDING": str(landing)}, "materialize", "--years", "2025")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    evaluation = latest_check_evaluation(["raw", "compute_centres"], "delivery_accepted", env)
    assert not evaluation.passed
    (quarantined,) = evaluation.metadata["quarantined"].value
    (problem,) = quarantined["problems"]
    assert 'column "centre_id"' in problem and problem.endswith("(duplicate key)"), problem
    assert "is already in row" in problem


def test_a_city_assigned_to_the_wrong_province_is_quarantined_at_intake(
    copied_warehouse, cli, landing_with_registry, latest_check_evaluation
) -> None:
    # The contract resolves a city within its row's province at intake: a registry placing
    # 张家口 in 山西 never becomes current, and the message says where the city is.
    env = copied_warehouse

    def move_zhangjiakou_to_shanxi(rows):
        moved = next(r for r in rows if r["city"] == "张家口市")
        moved["province"] = "山西省"
        return rows

    landing = landing_with_registry(move_zhangjiakou_to_shanxi)
    result = cli({**env, "SUANLI_LANDING": str(landing)}, "materialize", "--years", "2025")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    evaluation = latest_check_evaluation(["raw", "compute_centres"], "delivery_accepted", env)
    assert not evaluation.passed
    (quarantined,) = evaluation.metadata["quarantined"].value
    (problem,) = quarantined["problems"]
    assert problem.startswith("compute_centres_2025.csv: row ")
    assert problem.endswith(
        'column "city": value "张家口市" — expected a prefecture-level city of 山西省 '
        "(张家口市 is in 河北省) (unknown region)"
    )
    with duckdb.connect(env["SUANLI_WAREHOUSE"], read_only=True) as work:
        [(current,)] = work.execute(
            "select count(*) from raw.deliveries where source = 'compute_centres' "
            "and partition_key = '2025' and is_current"
        ).fetchall()
    assert current == 1, "the registry in force before stays current"

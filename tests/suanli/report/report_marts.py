"""A published marts file for the report's tests: the tables and columns the report reads,
for 8 real provinces and 6 real cities, three index systems (System A, a base-year system
whose scores pass 100, and a city system), GDP optional."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

SYSTEM = "comprehensive_v4"
YEARS = (2023, 2024, 2025)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# code, name, short name, English name, region, hub node
PROVINCES = [
    ("110000", "北京市", "北京", "Beijing", "east", "京津冀枢纽"),
    ("130000", "河北省", "河北", "Hebei", "east", "京津冀枢纽"),
    ("150000", "内蒙古自治区", "内蒙古", "Inner Mongolia", "west", "内蒙古枢纽"),
    ("310000", "上海市", "上海", "Shanghai", "east", "长三角枢纽"),
    ("320000", "江苏省", "江苏", "Jiangsu", "east", "长三角枢纽"),
    ("330000", "浙江省", "浙江", "Zhejiang", "east", "长三角枢纽"),
    ("440000", "广东省", "广东", "Guangdong", "east", "粤港澳枢纽"),
    ("520000", "贵州省", "贵州", "Guizhou", "west", "贵州枢纽"),
]
# 2024 GDP in 亿元 (rounded published figures): what the scatter must regress the index on
GDP_2024 = {
    "110000": 49843.0, "130000": 47527.0, "150000": 26315.0, "310000": 53927.0,
    "320000": 137008.0, "330000": 90131.0, "440000": 141634.0, "520000": 22667.0,
}  # fmt: skip
# code, parent, level, position, name, unit
NODES = [
    ("composite", None, "composite", 1, "综合算力指数", None),
    ("compute", "composite", "primary", 1, "算力", None),
    ("storage", "composite", "primary", 2, "存力", None),
    ("compute_scale", "compute", "secondary", 1, "算力规模", None),
    ("compute_quality", "compute", "secondary", 2, "算力质效", None),
    ("storage_scale", "storage", "secondary", 1, "存力规模", None),
    ("racks_in_use", "compute_scale", "tertiary", 1, "在用标准机架数", "万架"),
    ("intelligent_compute", "compute_scale", "tertiary", 3, "在用智算规模", "EFLOPS"),
    ("rack_utilisation", "compute_quality", "tertiary", 1, "上架率", "%"),
    ("storage_capacity", "storage_scale", "tertiary", 1, "存储总体容量", "EB"),
]
CITIES = [
    ("520100", "贵阳市", "Guiyang", "贵州省"),
    ("130700", "张家口市", "Zhangjiakou", "河北省"),
    ("131000", "廊坊市", "Langfang", "河北省"),
    ("330100", "杭州市", "Hangzhou", "浙江省"),
    ("150900", "乌兰察布市", "Ulanqab", "内蒙古自治区"),
    ("440200", "韶关市", "Shaoguan", "广东省"),
]
# city code → (longitude, latitude): 张家口, 廊坊 and 乌兰察布 are close neighbours on the map
CITY_POINTS = {
    "520100": (106.63, 26.65), "130700": (114.89, 40.82), "131000": (116.68, 39.54),
    "330100": (120.16, 30.27), "150900": (113.13, 41.00), "440200": (113.60, 24.81),
}  # fmt: skip
# The other systems: code, name, unit level, standardisation, base year, years
BASE_SYSTEM = "development_v3"
CITY_SYSTEM = "city_compute"
SYSTEMS = [
    (SYSTEM, "综合算力指数 4.0", "province", "minmax_per_year", None, YEARS),
    (BASE_SYSTEM, "先进计算暨算力发展指数 3.0", "province", "minmax_base_year", 2023, YEARS[:2]),
    (CITY_SYSTEM, "城市算力分指数", "city", "minmax_per_year", None, YEARS),
]
# system, code, parent, level, position, name, unit
OTHER_NODES = [
    (BASE_SYSTEM, "composite", None, "composite", 1, "先进计算暨算力发展指数", None),
    (BASE_SYSTEM, "computing_industry", "composite", "primary", 1, "计算产业", None),
    (BASE_SYSTEM, "computing_application", "composite", "primary", 2, "计算应用", None),
    (BASE_SYSTEM, "ic_output", "computing_industry", "tertiary", 1, "集成电路产量", "亿块"),
    (BASE_SYSTEM, "cases", "computing_application", "tertiary", 1, "应用案例", "个"),
    (CITY_SYSTEM, "composite", None, "composite", 1, "城市算力分指数", None),
    (CITY_SYSTEM, "compute", "composite", "primary", 1, "算力", None),
    (CITY_SYSTEM, "racks_in_use", "compute", "tertiary", 1, "在用标准机架数", "万架"),
]
BASE_YEAR_TOP = 180.0  # the base-year system's scores reach up to this, past 100
ADDITIVE = ("racks_in_use", "intelligent_compute", "storage_capacity")


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Competition ranks per year and node, and last year's rank minus this year's."""
    keys = ["system_code", "year", "node_code"]
    frame["rank"] = (frame.groupby(keys)["score"].rank(method="min", ascending=False)).astype(
        "int64"
    )
    previous = frame[[*keys, "unit_code", "rank"]].assign(year=frame["year"] + 1)
    merged = frame.merge(previous, on=[*keys, "unit_code"], how="left", suffixes=("", "_previous"))
    merged["rank_change"] = (merged["rank_previous"] - merged["rank"]).astype("Int64")
    return merged.drop(columns="rank_previous")


def make_marts(path: Path, gdp: bool = True) -> Path:
    """A marts file with the published marts' tables and columns, for 8 real provinces."""
    rng = np.random.default_rng(20250331)
    levels = {code: level for code, _, level, *_ in NODES}
    scores = pd.DataFrame(
        [
            {
                "system_code": SYSTEM, "year": year, "unit_level": "province",
                "unit_code": province[0], "node_code": code, "node_level": levels[code],
                "score": round(float(rng.uniform(8, 95)), 4),
            }
            for year in YEARS
            for code in levels
            for province in PROVINCES
        ]
        + [
            {
                "system_code": system, "year": year, "unit_level": level,
                "unit_code": unit, "node_code": code, "node_level": node_level,
                "score": round(float(rng.uniform(8, top)), 4),
            }
            for system, _, level, _, _, years in SYSTEMS[1:]
            for year in years
            for node_system, code, _, node_level, _, _, _ in OTHER_NODES
            if node_system == system and node_level != "tertiary"
            for unit, top in (
                [(p[0], BASE_YEAR_TOP) for p in PROVINCES] if level == "province"
                else [(c[0], 100.0) for c in CITIES]
            )
        ]
    )  # fmt: skip
    scores = _ranked(scores)
    indicators = pd.DataFrame(
        [
            {
                "system_code": SYSTEM, "year": year, "unit_level": "province",
                "unit_code": province[0], "indicator_code": code,
                "raw_value": round(float(rng.uniform(1, 100 if unit == "%" else 150)), 4),
                "unit": unit, "score": None, "provenance": "synthetic",
                "source": "test", "value_flag": None,
            }
            for year in YEARS
            for code, _, level, _, _, unit in NODES
            if level == "tertiary"
            for province in PROVINCES
        ]
    )  # fmt: skip
    weights = pd.DataFrame(
        [
            {
                "system_code": SYSTEM, "node_code": code, "parent_code": parent,
                "node_level": level, "position": position, "name_zh": name, "name_en": code,
                "unit": unit, "direction": "positive" if unit else None, "local_weight": 0.5,
                "global_weight": 0.5, "lambda_max": 2.0, "consistency_ratio": 0.0,
                "random_index_table": "saaty_1980",
            }
            for code, parent, level, position, name, unit in NODES
        ]
        + [
            {
                "system_code": system, "node_code": code, "parent_code": parent,
                "node_level": level, "position": position, "name_zh": name, "name_en": code,
                "unit": unit, "direction": "positive" if unit else None,
                "local_weight": 1.0 / position, "global_weight": 0.25 * position,
                "lambda_max": 2.0, "consistency_ratio": 0.0, "random_index_table": "saaty_1980",
            }
            for system, code, parent, level, position, name, unit in OTHER_NODES
        ]
    )  # fmt: skip
    provinces = pd.DataFrame(
        PROVINCES,
        columns=["province_code", "name_zh", "short_name_zh", "name_en", "region", "hub_node"],
    )
    cities = pd.DataFrame(
        [
            {
                "year": year, "rank": rank, "city_code": code, "city_name_zh": name,
                "city_name_en": name_en, "province_name_zh": province,
                "score": 90.0 - 7 * rank + year % 7, "rank_change": 0,
            }
            for year in YEARS
            for rank, (code, name, name_en, province) in enumerate(CITIES, start=1)
        ]
    )  # fmt: skip
    systems = pd.DataFrame(
        [
            {
                "system_code": code, "name_zh": name, "report": f"{name} 报告",
                "unit_level": level, "first_year": years[0], "last_year": years[-1],
                "standardisation": standardisation, "base_year": base_year,
                "is_approximation": False,
            }
            for code, name, level, standardisation, base_year, years in SYSTEMS
        ]
    )  # fmt: skip
    province_of = {name: code for code, name, *_ in PROVINCES}
    city_rows = pd.DataFrame(
        [
            {
                "city_code": code, "name_zh": name, "name_en": name_en,
                "province_code": province_of[province], "longitude": CITY_POINTS[code][0],
                "latitude": CITY_POINTS[code][1],
            }
            for code, name, name_en, province in CITIES
        ]
    )  # fmt: skip
    units = pd.concat(
        [
            provinces.assign(unit_level="province", unit_code=provinces["province_code"]),
            city_rows.assign(unit_level="city", unit_code=city_rows["city_code"]),
        ]
    )[["unit_level", "unit_code", "name_zh", "name_en", "province_code"]]
    shares = national_shares(indicators)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        for table, frame in [
            ("fct_index_scores", scores),
            ("fct_indicator_values", indicators),
            ("fct_index_weights", weights),
            ("dim_province", provinces),
            ("city_top30", cities),
            ("dim_index_system", systems),
            ("dim_city", city_rows),
            ("dim_unit", units),
            ("fct_national_shares", shares),
        ]:
            connection.register("frame", frame)
            connection.execute(f"create table marts.{table} as select * from frame")
            connection.unregister("frame")
        if gdp:
            connection.execute(
                "create table marts.fct_province_statistics (province_code varchar, "
                "year integer, statistic_code varchar, value double, unit varchar, "
                "provenance varchar, provenance_source varchar)"
            )
            for code, value in GDP_2024.items():
                connection.executemany(
                    "insert into marts.fct_province_statistics values (?, ?, ?, ?, ?, ?, ?)",
                    [
                        [code, 2024, "gdp", value, "亿元", "published", "国家统计局"],
                        [code, 2023, "gdp", value * 0.95, "亿元", "published", "国家统计局"],
                        [code, 2024, "population", 5000.0, "万人", "published", "国家统计局"],
                    ],
                )
    return path


def national_shares(indicators: pd.DataFrame) -> pd.DataFrame:
    """fct_national_shares of the additive indicators: the national total is the provinces'
    sum (national_source sum_of_provinces), each province's share of it in per cent."""
    frame = indicators[indicators["indicator_code"].isin(ADDITIVE)].copy()
    names = {code: name for code, _, _, _, name, _ in NODES}
    frame["indicator_name_zh"] = frame["indicator_code"].map(names)
    frame["indicator_name_en"] = frame["indicator_code"]
    frame["national_value"] = frame.groupby(["year", "indicator_code"])["raw_value"].transform(
        "sum"
    )
    frame["national_source"] = "sum_of_provinces"
    frame["share_pct"] = 100.0 * frame["raw_value"] / frame["national_value"]
    frame["share_rank"] = frame.groupby(["year", "indicator_code"])["share_pct"].rank(
        method="min", ascending=False
    )
    frame["cumulative_share_pct"] = 0.0
    return frame.rename(columns={"unit_code": "province_code"})[
        [
            "system_code", "year", "province_code", "indicator_code", "indicator_name_zh",
            "indicator_name_en", "unit", "raw_value", "national_value", "national_source",
            "share_pct", "share_rank", "cumulative_share_pct",
        ]
    ]  # fmt: skip


def expected_keys(with_gdp: bool) -> list[str]:
    """Every chart of the report of 2025, in page order: System A's composite, map and each
    node; the other systems' composite, map and primaries panel; then the resources."""
    nodes = [code for code, _, level, *_ in NODES if level in ("primary", "secondary")]
    keys = ["composite_top10", "composite_map", *(f"{node}_top10" for node in nodes)]
    for system in (BASE_SYSTEM, CITY_SYSTEM):
        keys += [f"{system}_composite_top10", f"{system}_map", f"{system}_primaries"]
    keys += ["share_racks_in_use", "share_intelligent_compute", "utilisation", "city_top30"]
    return [*keys, "gdp_scatter"] if with_gdp else keys

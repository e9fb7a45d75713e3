"""System D (算力服务发展指数, 2023 report) deliveries of the snapshot, METHODOLOGY.md §5.
Index year = data (calendar) year; the report scores 2022, with 2021 beside it for growth.

- compute-service statistics (中国算力平台 monitoring), one row per province, year and compute
  type: data-centre and privately deployed compute (EFLOPS, FP32), the share offered as a
  service and the compute actually used. National 2022 totals match the device side of §7
  (general 120 EFLOPS, intelligent 178.5 EFLOPS FP32-equivalent), split between centres and
  private deployments;
- the compute-service platform survey, one row per platform: GB/T 4754 sections served, new
  applications, objects served (of which traditional and emerging-industry enterprises),
  access latency, training-and-support and satisfaction scores;
- utility-model patents beside the invention patents of the patent list;
- statistics-bureau tables (NBS layout): digital economy of the primary and secondary
  industries, compute-service spending and revenue, mobile and 5G users, 2021-2022.

§7 publishes no System D figure, so every value here is synthetic, shaped by the province
profiles (the digital-economy weight `tech`, racks, intelligent compute, population).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from snapshot_generator.others import cn_application_number
from snapshot_generator.profiles import CITIES, PROFILES
from snapshot_generator.reference import Province, fmt, weighted_choice
from snapshot_generator.statistics import nbs_export

YEARS: tuple[int, ...] = (2021, 2022)
SCORED_YEAR = 2022
PLATFORM_YEAR = SCORED_YEAR

# (data-centre, private) national totals per compute type in 2022, EFLOPS FP32, and growth
# 2021 → 2022.
COMPUTE: dict[str, dict] = {
    "通用算力": {"centre": 62.0, "private": 58.0, "growth": 1.12},
    "智能算力": {"centre": 110.0, "private": 68.5, "growth": 1.45},
    "超算算力": {"centre": 2.2, "private": 0.4, "growth": 1.2},
}
# National supercomputing centres by province: their provinces host most service capacity.
SUPERCOMPUTING_CENTRES = {"天津": 2, "广东": 2, "江苏": 1, "山东": 1, "湖南": 1, "河南": 1,
                          "四川": 1, "浙江": 1}  # fmt: skip

COMPUTE_COLUMNS = [
    "province", "year", "compute_type", "datacentre_compute_eflops", "private_compute_eflops",
    "service_ratio_pct", "used_compute_eflops",
]  # fmt: skip


def compute_services(provinces: list[Province], rng: np.random.Generator) -> list[tuple]:
    """One row per province, year and compute type; used ≤ service-ready compute."""
    shorts = [p.short for p in provinces]
    profiles = [PROFILES[s] for s in shorts]
    tech = np.array([p.tech for p in profiles])
    pop = np.array([p.population for p in profiles]) / 5000
    weights = {
        "通用算力": (
            np.array([p.racks / p.racks_growth for p in profiles]),
            tech**1.2 * pop**0.5,
        ),
        "智能算力": (np.array([p.ai / p.ai_growth for p in profiles]) + 0.2, tech**1.5),
        "超算算力": (
            np.array([0.15 + SUPERCOMPUTING_CENTRES.get(s, 0) for s in shorts]),
            tech,
        ),
    }
    ratio_base = {"通用算力": 30.0, "智能算力": 45.0, "超算算力": 55.0}
    use_base = {"通用算力": 0.55, "智能算力": 0.6, "超算算力": 0.7}
    rows = []
    for compute_type, spec in COMPUTE.items():
        centre_w, private_w = weights[compute_type]
        centre_w = centre_w * rng.uniform(0.85, 1.15, len(shorts))
        private_w = private_w * rng.uniform(0.85, 1.15, len(shorts))
        centre = centre_w / centre_w.sum() * spec["centre"]
        private = private_w / private_w.sum() * spec["private"]
        ratio = ratio_base[compute_type] + 4 * np.log1p(tech) + rng.normal(0, 4, len(shorts))
        ratio = np.clip(ratio, 15, 92)
        utilisation = np.clip(
            use_base[compute_type]
            + 0.25 * np.array([p.utilisation for p in profiles]) / 100
            + rng.normal(0, 0.05, len(shorts)),
            0.3,
            0.95,
        )
        for year in YEARS:
            back = SCORED_YEAR - year
            shrink = spec["growth"] ** back
            noise = 1.0 if back == 0 else rng.uniform(0.95, 1.05)
            for j, province in enumerate(provinces):
                c = centre[j] / shrink * noise
                q = private[j] / shrink * noise
                r = min(95.0, ratio[j] - 3 * back)
                used = (c + q) * r / 100 * max(0.25, utilisation[j] - 0.04 * back)
                rows.append(
                    (province.name_zh, year, compute_type, fmt(c, 4), fmt(q, 4), fmt(r, 1),
                     fmt(used, 4))
                )  # fmt: skip
    return rows


# ----------------------------------------------------------------------------- platforms

# GB/T 4754-2017 sections A-T, with how often compute services reach each.
SECTIONS = "ABCDEFGHIJKLMNOPQRST"
SECTION_WEIGHTS = [2, 2, 9, 4, 2, 5, 5, 1, 9, 8, 3, 4, 8, 2, 1, 4, 5, 2, 4, 1]
PLATFORM_KINDS = ("算力服务平台", "算力调度平台", "智算云平台", "超算互联网节点", "算力交易平台")
PLATFORM_COLUMNS = [
    "platform_id", "platform_name", "province", "year", "industries_served",
    "new_applications", "service_objects", "traditional_enterprises", "emerging_enterprises",
    "access_latency_ms", "training_support_score", "satisfaction_score",
]  # fmt: skip


def service_platforms(provinces: list[Province], rng: np.random.Generator) -> list[tuple]:
    """Every province runs at least one platform; more and better ones where `tech` is high."""
    rows = []
    section_p = np.array(SECTION_WEIGHTS, dtype=float) / sum(SECTION_WEIGHTS)
    for province in provinces:
        tech = PROFILES[province.short].tech
        cities = CITIES[province.short]
        for k in range(1, 2 + int(rng.poisson(0.8 * tech))):
            city = cities[weighted_choice(rng, [c[2] for c in cities])][1]
            kind = PLATFORM_KINDS[int(rng.integers(len(PLATFORM_KINDS)))]
            n_sections = int(np.clip(round(3 + 0.9 * tech + rng.normal(0, 2)), 1, 20))
            served = sorted(rng.choice(20, size=n_sections, replace=False, p=section_p))
            objects = int(rng.lognormal(np.log(120 * (1 + tech) ** 0.8), 0.5))
            traditional = int(objects * rng.uniform(0.3, 0.6))
            emerging = int(objects * rng.uniform(0.1, 0.3) * (1 + tech / 20))
            rows.append(
                (
                    f"CSP-{PLATFORM_YEAR}-{province.code}-{k:02d}",
                    f"{city}{kind}",
                    province.name_zh,
                    PLATFORM_YEAR,
                    ";".join(SECTIONS[s] for s in served),
                    int(rng.poisson(4 + 5 * tech**0.8)),
                    objects,
                    traditional,
                    emerging,
                    fmt(3 + 25 / (1 + tech / 2) + abs(rng.normal(0, 2)), 1),
                    fmt(float(np.clip(62 + 3 * tech**0.7 + rng.normal(0, 4), 50, 98)), 1),
                    fmt(float(np.clip(72 + 2 * tech**0.7 + rng.normal(0, 3), 60, 99)), 1),
                )
            )
    return rows


# ----------------------------------------------------------------------------- patents

# Filings per calendar year: the years around 2022 so that every calendar year the list
# covers has its grants (filed up to eleven months earlier) complete.
UTILITY_MODELS_PER_YEAR = {2020: 700, 2021: 800, 2022: 900, 2023: 1000, 2024: 1100}
LAST_GRANT = dt.date(2025, 3, 31)  # the list's cut-off
UTILITY_GRANT_SHARE = 0.85


def utility_model_patents(provinces: list[Province], rng: np.random.Generator) -> list[tuple]:
    """Rows in the patent list's columns (type digit 2 in the application number); utility
    models are granted after a formal examination, 4 to 11 months after filing."""
    tech = np.array([PROFILES[p.short].tech for p in provinces])
    pop = np.array([PROFILES[p.short].population for p in provinces])
    weights = tech**1.1 * (pop / 5000) ** 0.4
    rows = []
    for year, count in UTILITY_MODELS_PER_YEAR.items():
        who = rng.choice(len(provinces), size=count, p=weights / weights.sum())
        days = np.sort(rng.integers(0, 365, count))
        serials = np.sort(rng.choice(np.arange(10_000, 2_000_000), size=count, replace=False))
        for k in range(count):
            filed = dt.date(year, 1, 1) + dt.timedelta(days=int(days[k]))
            granted = ""
            grant = filed + dt.timedelta(days=int(rng.integers(120, 330)))
            if rng.random() < UTILITY_GRANT_SHARE and grant <= LAST_GRANT:
                granted = grant.isoformat()
            rows.append(
                (cn_application_number(year, int(serials[k]), kind=2),
                 provinces[int(who[k])].name_zh, filed.isoformat(), granted, "N")
            )  # fmt: skip
    return rows


# ----------------------------------------------------------------------------- statistics

STATISTICS_NOTE = "演示数据，由生成器按算力服务发展指数的指标口径与省份画像合成，不是官方统计。"
# code: (file, 指标 as written, unit, decimals)
STATISTICS: dict[str, tuple[str, str, str, int]] = {
    "digital_economy_primary_secondary": (
        "provincial_statistics/digital_economy_primary_secondary_synthetic.csv",
        "第一、二产业数字经济增加值", "亿元", 1),
    "compute_service_spending": (
        "provincial_statistics/compute_service_spending_synthetic.csv", "算力服务支出", "亿元", 2),
    "compute_service_revenue": (
        "provincial_statistics/compute_service_revenue_synthetic.csv", "算力服务收入", "亿元", 2),
    "mobile_users": (
        "provincial_statistics/mobile_users_synthetic.csv", "移动电话用户", "万户", 1),
    "mobile_5g_users": (
        "provincial_statistics/mobile_5g_users_synthetic.csv", "5G移动电话用户", "万户", 1),
}  # fmt: skip


def statistic_values(
    provinces: list[Province], gdp: dict[int, dict[str, float]], rng: np.random.Generator
) -> dict[str, dict[int, dict[str, float]]]:
    """{code: {year: {short: value}}}: ratios to GDP and 5G shares stay plausible by
    construction (digital economy 6-16 % of GDP, compute-service spending 0.1-0.6 %)."""
    out: dict[str, dict[int, dict[str, float]]] = {
        code: {y: {} for y in YEARS} for code in STATISTICS
    }
    for province in provinces:
        p = PROFILES[province.short]
        digital = 0.06 + 0.008 * p.tech**0.9 * rng.uniform(0.9, 1.1)
        spending = 0.001 + 0.0004 * p.tech**0.9 * rng.uniform(0.85, 1.15)
        revenue = 8.0 * p.tech**1.3 * (p.population / 5000) ** 0.3 * rng.uniform(0.85, 1.15)
        revenue_growth = rng.uniform(1.05, 1.45)
        mobile = p.population * rng.uniform(1.1, 1.35) * (1.3 if p.tech > 5 else 1.0)
        share_5g = min(0.55, 0.24 + 0.02 * p.tech**0.7 + rng.normal(0, 0.02))
        for year in YEARS:
            back = SCORED_YEAR - year
            g = gdp[year][province.short]
            out["digital_economy_primary_secondary"][year][province.short] = g * (
                digital - 0.004 * back
            )
            out["compute_service_spending"][year][province.short] = g * spending / 1.2**back
            out["compute_service_revenue"][year][province.short] = revenue / revenue_growth**back
            out["mobile_users"][year][province.short] = mobile / 1.03**back
            out["mobile_5g_users"][year][province.short] = (
                mobile / 1.03**back * share_5g * (0.55 if back else 1.0)
            )
    return out


def statistics_exports(
    provinces: list[Province], gdp: dict[int, dict[str, float]], rng: np.random.Generator
) -> dict[str, bytes]:
    """{file: NBS-layout table} for every System D statistic."""
    values = statistic_values(provinces, gdp, rng)
    files = {}
    for code, (file, title, unit, decimals) in STATISTICS.items():
        files[file], _ = nbs_export(provinces, title, unit, values[code], decimals, STATISTICS_NOTE)
    return files

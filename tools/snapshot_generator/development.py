"""System C (先进计算暨算力发展指数 3.0) deliveries of the snapshot, METHODOLOGY.md §4 and the
"System C facts (2024 data)" of §7. Index year = data (calendar) year, 2021–2024.

- server shipments per calendar year 2016–2025 (the six-year sums of 2021 need 2016): general
  servers with their mean CPU configuration (sockets × FP32 ops/cycle × clock × cores = one
  server's FP32 compute), AI servers with their mean FP16 compute; national totals hit the
  published shipments (2022, 2024) and six-year compute (120 EFLOPS in 2022, 175 in 2024);
- statistics-bureau tables (NBS 分省年度数据 layout, GB18030) for computing-device and IC
  output, software revenue, computer-manufacturing R&D, IT spending and the digital-economy
  core industries, calendar years 2021–2024, with the §7 facts for 2024;
- the supercomputer list, the 开放数林 index and the application cases.

Growth from 2021 is chosen so that base-year anchoring shows: 广东's 计算产业 passes 120 in 2024.
"""

from __future__ import annotations

import numpy as np

from snapshot_generator.profiles import PROFILES, SHIPMENT_LEADERS
from snapshot_generator.reference import Province, allocate, fmt
from snapshot_generator.statistics import nbs_export

DATA_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024)
LAST_DATA_YEAR = DATA_YEARS[-1]
SHIPMENT_YEARS: tuple[int, ...] = tuple(range(2016, 2026))
WINDOW = 6  # server compute sums the last six years' shipments

# National shipments (units) per calendar year; 2022 and 2024 are §7 figures (384.6 万 and
# 373.1 万 general, 28 万 and 63 万 AI); 2019–2024 general add up to the six-year 2178 万.
SHIPMENTS: dict[str, dict[int, float]] = {
    "general": {
        2016: 2_550_000, 2017: 2_900_000, 2018: 3_200_000, 2019: 3_177_000, 2020: 3_410_000,
        2021: 3_730_000, 2022: 3_846_000, 2023: 3_886_000, 2024: 3_731_000, 2025: 3_918_000,
    },
    "ai": {
        2016: 30_000, 2017: 50_000, 2018: 70_000, 2019: 100_000, 2020: 160_000,
        2021: 240_000, 2022: 280_000, 2023: 326_000, 2024: 630_000, 2025: 950_000,
    },
}  # fmt: skip
# Mean FP32 TFLOPS of a general server (from the CPU columns) and FP16 TFLOPS of an AI server.
# The general path makes the six-year sums 120 EFLOPS (2017–2022) and 175 EFLOPS (2019–2024).
GENERAL_TFLOPS: dict[int, float] = {
    2016: 3.4, 2017: 4.0, 2018: 4.6, 2019: 5.3, 2020: 6.0, 2021: 6.8,
    2022: 8.0653, 2023: 10.2, 2024: 11.1684, 2025: 12.4,
}  # fmt: skip
AI_TFLOPS: dict[int, float] = {
    2016: 60.0, 2017: 120.0, 2018: 200.0, 2019: 280.0, 2020: 380.0, 2021: 500.0,
    2022: 640.0, 2023: 820.0, 2024: 1050.0, 2025: 1380.0,
}  # fmt: skip
# CPU generations: (FP32 ops per cycle per core, mean base clock GHz) by shipment year.
CPU_GENERATION: dict[int, tuple[int, float]] = {
    2016: (32, 2.2), 2017: (64, 2.1), 2018: (64, 2.1), 2019: (64, 2.2), 2020: (64, 2.2),
    2021: (64, 2.3), 2022: (64, 2.3), 2023: (64, 2.4), 2024: (64, 2.4), 2025: (64, 2.5),
}  # fmt: skip
SOCKETS = 1.9  # mean sockets per general server, before noise


def server_shipments(provinces: list[Province], rng: np.random.Generator) -> dict[int, list]:
    """Rows (province, year, type, units, sockets, ops/cycle, GHz, cores, mean TFLOPS) per
    calendar year. The leaders' block and the rest are allocated separately so their shares
    hold exactly; each year's unit-weighted mean compute equals the national path."""
    out: dict[int, list] = {}
    for year in SHIPMENT_YEARS:
        rows = []
        for server_type in ("general", "ai"):
            leaders = SHIPMENT_LEADERS[server_type]
            leader_share = sum(leaders.values()) / 100
            total = round(SHIPMENTS[server_type][year] + rng.uniform(-350, 350))
            minimum = 200 if server_type == "general" else 5
            others = [p for p in provinces if p.short not in leaders]
            rest_units = round(total * (1 - leader_share))
            rest_weights = np.array(
                [
                    PROFILES[p.short].tech ** 1.2 * PROFILES[p.short].population ** 0.3
                    for p in others
                ]
            ) * rng.uniform(0.9, 1.1, len(others))
            rest = dict(
                zip([p.short for p in others], allocate(rest_units, rest_weights, minimum),
                    strict=True)
            )  # fmt: skip
            lead_weights = np.array(list(leaders.values())) * rng.uniform(0.95, 1.05, len(leaders))
            lead = dict(zip(leaders, allocate(total - rest_units, lead_weights), strict=True))
            units = np.array([{**rest, **lead}[p.short] for p in provinces], dtype=float)
            factor = rng.uniform(0.93, 1.07, len(provinces))
            factor *= units.sum() / (units * factor).sum()  # unit-weighted mean = the path
            if server_type == "general":
                ops, clock = CPU_GENERATION[year]
                sockets = np.clip(SOCKETS + rng.normal(0, 0.04, len(provinces)), 1.7, 2.0)
                clocks = clock + rng.normal(0, 0.03, len(provinces))
                target = GENERAL_TFLOPS[year] * factor * 1000  # GFLOPS per server
                for j, p in enumerate(provinces):
                    s, c = round(float(sockets[j]), 2), round(float(clocks[j]), 2)
                    cores = target[j] / (s * ops * c)
                    rows.append(
                        (p.name_zh, year, server_type, int(units[j]), fmt(s, 2), ops,
                         fmt(c, 2), fmt(cores, 3), "")
                    )  # fmt: skip
            else:
                for j, p in enumerate(provinces):
                    tflops = AI_TFLOPS[year] * factor[j]
                    rows.append(
                        (p.name_zh, year, server_type, int(units[j]), "", "", "", "",
                         fmt(tflops, 2))
                    )  # fmt: skip
        out[year] = rows
    return out


SHIPMENT_COLUMNS = [
    "province", "year", "server_type", "units", "cpu_sockets", "fp32_ops_per_cycle",
    "clock_ghz", "cores_per_cpu", "mean_compute_tflops",
]  # fmt: skip


# ----------------------------------------------------------------------------- statistics


# statistic: (file, 指标 as NBS writes it, unit as delivered, decimals, 2024 leaders in
# order with values, national 2024 total, growth 2021→2024 of the others, 广东's growth)
STATISTICS: dict[str, dict] = {
    "computing_device_output": {
        "file": "provincial_statistics/computing_device_output_synthetic.csv",
        "title": "计算设备产量", "unit": "万台", "decimals": 2,
        # §7: 广东 ≈ 1200 万台 (56 %), 天津 370 万; top five 广东, 天津, 福建, 山东, 湖北.
        "leaders": {"广东": 1200.2, "天津": 370.1, "福建": 142.0, "山东": 118.0, "湖北": 96.0},
        "national": 1200.2 / 0.56, "growth": 1.35, "gd_growth": 2.1,
    },
    "ic_output": {
        "file": "provincial_statistics/ic_output_synthetic.csv",
        "title": "集成电路产量", "unit": "亿块", "decimals": 2,
        # §7: 江苏 1400 亿块 (31 %); leaders 江苏, 广东, 甘肃, 上海, 浙江, 北京.
        "leaders": {"江苏": 1400.0, "广东": 760.0, "甘肃": 560.0, "上海": 420.0, "浙江": 330.0,
                    "北京": 260.0},
        "national": 1400.0 / 0.31, "growth": 1.25, "gd_growth": 2.0,
    },
    "software_revenue": {
        "file": "provincial_statistics/software_revenue_synthetic.csv",
        "title": "软件业务收入", "unit": "亿元", "decimals": 1,
        # §7: 北京 > 3 万亿元; 北京, 广东, 江苏, 山东, 上海 each > 1.2 万亿.
        "leaders": {"北京": 31800.0, "广东": 20500.0, "江苏": 14900.0, "山东": 13600.0,
                    "上海": 12900.0},
        "national": 137000.0, "growth": 1.42, "gd_growth": 2.0,
    },
    "computer_manufacturing_rd": {
        "file": "provincial_statistics/computer_manufacturing_rd_synthetic.csv",
        "title": "计算机、通信和其他电子设备制造业R&D经费", "unit": "亿元", "decimals": 1,
        # §7: 广东 > 1700 亿元 (≈ 40 %, 3× 北京).
        "leaders": {"广东": 1760.0, "江苏": 610.0, "北京": 585.0},
        "national": 1760.0 / 0.40, "growth": 1.3, "gd_growth": 1.45,
    },
    "it_spending": {
        "file": "provincial_statistics/it_spending_synthetic.csv",
        "title": "IT支出规模", "unit": "亿元", "decimals": 1,
        # §7: 北京 > 3500 亿, 广东 > 3200 亿.
        "leaders": {"北京": 3620.0, "广东": 3350.0},
        "national": 26000.0, "growth": 1.3, "gd_growth": 1.4,
    },
    "digital_economy_core": {
        "file": "provincial_statistics/digital_economy_core_synthetic.csv",
        "title": "数字经济核心产业增加值", "unit": "亿元", "decimals": 1,
        # §7: 广东 > 1.4 万亿; 江苏, 浙江, 山东, 上海 > 8000 亿.
        "leaders": {"广东": 14800.0, "江苏": 11600.0, "浙江": 9900.0, "山东": 8700.0,
                    "上海": 8400.0},
        "national": 127000.0, "growth": 1.3, "gd_growth": 1.4,
    },
}  # fmt: skip
STATISTIC_NAMES = {code: spec["title"] for code, spec in STATISTICS.items()}


def statistic_values(
    provinces: list[Province], code: str, rng: np.random.Generator
) -> dict[int, dict[str, float]]:
    """{year: {short: value}} in the delivered unit; 2024 honours the §7 facts."""
    spec = STATISTICS[code]
    leaders: dict[str, float] = spec["leaders"]
    others = [p.short for p in provinces if p.short not in leaders]
    weights = np.array(
        [PROFILES[s].tech ** 1.3 * (PROFILES[s].population / 5000) ** 0.5 for s in others]
    ) * rng.uniform(0.8, 1.2, len(others))
    rest_total = spec["national"] - sum(leaders.values())
    rest = weights / weights.sum() * rest_total
    cap = 0.9 * min(leaders.values())
    rest = np.minimum(rest, cap * rng.uniform(0.85, 0.99, len(others)))
    latest = {**dict(zip(others, rest.tolist(), strict=True)), **leaders}
    out: dict[int, dict[str, float]] = {}
    for year in DATA_YEARS:
        back = LAST_DATA_YEAR - year
        values = {}
        for short, value in latest.items():
            growth = spec["gd_growth"] if short == "广东" else spec["growth"]
            yearly = growth ** (1 / 3)
            noise = 1.0 if back == 0 else rng.uniform(0.97, 1.03)
            values[short] = value / yearly**back * noise
        out[year] = values
    return out


def statistics_export(
    provinces: list[Province], code: str, rng: np.random.Generator
) -> tuple[bytes, dict[int, dict[str, float]]]:
    """One NBS-layout table (GB18030, CRLF, title lines, footnotes) and the values written."""
    spec = STATISTICS[code]
    return nbs_export(
        provinces,
        spec["title"],
        spec["unit"],
        statistic_values(provinces, code, rng),
        spec["decimals"],
        "演示数据，由生成器按先进计算暨算力发展指数的公开事实与省份画像合成，不是官方统计。",
    )


# ----------------------------------------------------------------------------- lists

# Supercomputers: (province, site, name, Rmax PFLOPS, first listed) of the well-known systems,
# then smaller synthetic ones.
KNOWN_SUPERCOMPUTERS = [
    ("江苏", "国家超级计算无锡中心", "神威·太湖之光", 93.01, 2016),
    ("广东", "国家超级计算广州中心", "天河二号", 61.44, 2013),
    ("天津", "国家超级计算天津中心", "天河一号", 2.57, 2010),
    ("山东", "国家超级计算济南中心", "神威蓝光", 0.8, 2011),
    ("广东", "国家超级计算深圳中心", "曙光星云", 1.27, 2010),
    ("湖南", "国家超级计算长沙中心", "天河一号A", 1.1, 2014),
    ("河南", "国家超级计算郑州中心", "嵩山", 4.5, 2020),
    ("四川", "国家超级计算成都中心", "天府", 10.0, 2020),
    ("天津", "国家超级计算天津中心", "天河新一代", 28.0, 2022),
    ("山东", "国家超级计算济南中心", "山河", 12.0, 2023),
    ("广东", "国家超级计算深圳中心", "深圳二期", 35.0, 2024),
    ("浙江", "之江实验室", "之江", 8.0, 2021),
]  # fmt: skip


def supercomputers(provinces: list[Province], rng: np.random.Generator) -> list[tuple]:
    rows = []
    for k, (short, site, name, rmax, year) in enumerate(KNOWN_SUPERCOMPUTERS, start=1):
        rows.append((f"HPC-{k:04d}", name, site, short, fmt(rmax, 2), year))
    shorts = [p.short for p in provinces]
    weights = np.array([PROFILES[s].tech for s in shorts])
    serial = len(rows)
    for year in range(2012, LAST_DATA_YEAR + 1):
        for _ in range(int(rng.integers(6, 12))):
            short = shorts[int(rng.choice(len(shorts), p=weights / weights.sum()))]
            serial += 1
            rmax = float(rng.lognormal(np.log(0.4 + 0.15 * (year - 2012)), 0.6))
            rows.append(
                (f"HPC-{serial:04d}", f"{short}计算集群{serial:03d}", f"{short}某高性能计算中心",
                 short, fmt(rmax, 2), year)
            )  # fmt: skip
    return rows


# §7: 开放数林 leaders (> 50) in order 山东, 浙江, 上海, 贵州, 北京, 福建 (2024).
OPENNESS_LEADERS = {
    "山东": 66.0,
    "浙江": 63.5,
    "上海": 60.2,
    "贵州": 57.4,
    "北京": 55.1,
    "福建": 52.6,
}


def data_openness(provinces: list[Province], rng: np.random.Generator) -> list[tuple]:
    rows = []
    latest = {}
    for p in provinces:
        if p.short in OPENNESS_LEADERS:
            latest[p.short] = OPENNESS_LEADERS[p.short]
        else:
            latest[p.short] = float(min(48.5, 14 + 6 * PROFILES[p.short].tech ** 0.5
                                        + rng.uniform(-4, 8)))  # fmt: skip
    for year in DATA_YEARS:
        back = LAST_DATA_YEAR - year
        for p in provinces:
            value = latest[p.short] * 0.9**back * (1.0 if back == 0 else rng.uniform(0.96, 1.02))
            rows.append((p.short, year, fmt(value, 2)))
    return rows


# Application cases per selection year; §7: 73 cases in 24 provinces in 2024, 湖南 6.
CASES_PER_YEAR = {2021: 38, 2022: 47, 2023: 58, 2024: 73}
CASE_PROVINCES = {2021: 18, 2022: 20, 2023: 22, 2024: 24}
CASE_FIXED = {2024: {"湖南": 6}}
CASE_TOPICS = ("智能制造", "智慧能源", "生物医药", "气象预测", "工业仿真", "金融风控", "智慧交通",
               "新材料研发", "自动驾驶", "智慧医疗")  # fmt: skip


def application_cases(provinces: list[Province], rng: np.random.Generator) -> list[tuple]:
    rows = []
    serial = 0
    shorts = [p.short for p in provinces]
    for year in DATA_YEARS:
        fixed = CASE_FIXED.get(year, {})
        weights = np.array([PROFILES[s].tech ** 0.8 for s in shorts])
        chosen = [s for s in fixed]
        pool = [s for s in shorts if s not in fixed]
        pool_w = np.array([PROFILES[s].tech ** 0.8 for s in pool])
        picks = rng.choice(len(pool), size=CASE_PROVINCES[year] - len(chosen), replace=False,
                           p=pool_w / pool_w.sum())  # fmt: skip
        chosen += [pool[i] for i in sorted(picks)]
        free = [s for s in chosen if s not in fixed]
        free_total = CASES_PER_YEAR[year] - sum(fixed.values())
        free_w = np.array([PROFILES[s].tech ** 0.8 for s in free]) * rng.uniform(
            0.8, 1.2, len(free)
        )
        counts = dict(zip(free, allocate(free_total, free_w, 1).tolist(), strict=True))
        if year in CASE_FIXED:  # the fixed province must stay the stated count, others below
            counts = {s: min(c, 5) for s, c in counts.items()}
            short_by = free_total - sum(counts.values())
            order = [s for s in free if counts[s] < 5]
            for k in range(short_by):
                counts[order[k % len(order)]] += 1
        counts.update(fixed)
        del weights
        for short in shorts:
            for _ in range(counts.get(short, 0)):
                serial += 1
                topic = CASE_TOPICS[int(rng.integers(len(CASE_TOPICS)))]
                rows.append(
                    (f"CASE-{year}-{serial:03d}", f"先进计算赋能{topic}典型应用（{short}）",
                     f"{short}{topic}创新中心", short, year)
                )  # fmt: skip
    return rows

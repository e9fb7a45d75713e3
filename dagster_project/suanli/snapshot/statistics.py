"""Statistics-bureau tables of the snapshot, written the way NBS exports them.

GDP (地区生产总值, 亿元) for the four calendar years before the index years, as a 分省年度数据
export: GB18030, CRLF, title lines, `地区,2024年,…`, footnotes. The values are synthetic
(population × a per-head output that grows with the province's digital-economy weight), and
the file's 数据来源 line says so, which is what the loader reads provenance from.
"""

from __future__ import annotations

import numpy as np

from suanli.snapshot.profiles import GENERATOR, PROFILES, YEARS
from suanli.snapshot.reference import Province

GDP_FILE = "provincial_statistics/gdp_synthetic.csv"
GROWTH = 1.05  # nominal growth per year, before noise


def gdp_export(provinces: list[Province], rng: np.random.Generator) -> bytes:
    """Calendar years 2021–2024 (the index years 2022–2025 use the year before)."""
    years = [year - 1 for year in sorted(YEARS, reverse=True)]
    lines = [
        "数据库：分省年度数据（演示）",
        "指标：地区生产总值(亿元)",
        f"时间：{years[-1]}-{years[0]}",
        "地区," + ",".join(f"{year}年" for year in years),
    ]
    for province in provinces:
        profile = PROFILES[province.short]
        per_head = 5.0 + 1.2 * profile.tech  # 万元 per resident, latest year
        latest = profile.population * per_head * rng.uniform(0.9, 1.1)
        values = [latest / GROWTH**step * rng.uniform(0.99, 1.01) for step in range(len(years))]
        lines.append(province.name_zh + "," + ",".join(f"{value:.1f}" for value in values))
    lines += [
        "注：演示数据，由生成器按人口与数字经济权重合成，不是官方统计。",
        f"数据来源：{GENERATOR} (synthetic)",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")

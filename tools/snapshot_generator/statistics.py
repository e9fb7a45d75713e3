"""Statistics-bureau tables of the snapshot, written the way NBS exports them.

Every table is a 分省年度数据 export: GB18030, CRLF, title lines, `地区,2024年,…`, footnotes,
whose 数据来源 line says the values are synthetic (the loader reads provenance from it).

GDP (地区生产总值, 亿元) covers the four calendar years before the index years: population × a
per-head output that grows with the province's digital-economy weight.
"""

from __future__ import annotations

import numpy as np

from snapshot_generator.profiles import GENERATOR, PROFILES, YEARS
from snapshot_generator.reference import Province, fmt

GDP_FILE = "provincial_statistics/gdp_synthetic.csv"
GROWTH = 1.05  # nominal growth per year, before noise


def nbs_export(
    provinces: list[Province],
    title: str,
    unit: str,
    values: dict[int, dict[str, float]],
    decimals: int,
    note: str,
) -> tuple[bytes, dict[int, dict[str, float]]]:
    """One table, latest year first, and the values as written ({year: {short: value}})."""
    years = sorted(values, reverse=True)
    lines = [
        "数据库：分省年度数据（演示）",
        f"指标：{title}({unit})",
        f"时间：{years[-1]}-{years[0]}",
        "地区," + ",".join(f"{year}年" for year in years),
    ]
    written: dict[int, dict[str, float]] = {year: {} for year in years}
    for province in provinces:
        cells = []
        for year in years:
            text = fmt(values[year][province.short], decimals)
            written[year][province.short] = float(text)
            cells.append(text)
        lines.append(province.name_zh + "," + ",".join(cells))
    lines += [f"注：{note}", f"数据来源：{GENERATOR} (synthetic)"]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030"), written


def gdp_values(provinces: list[Province], rng: np.random.Generator) -> dict[int, dict[str, float]]:
    """Calendar years 2021–2024 (the index years 2022–2025 use the year before)."""
    years = [year - 1 for year in sorted(YEARS, reverse=True)]
    out: dict[int, dict[str, float]] = {year: {} for year in years}
    for province in provinces:
        profile = PROFILES[province.short]
        per_head = 5.0 + 1.2 * profile.tech  # 万元 per resident, latest year
        latest = profile.population * per_head * rng.uniform(0.9, 1.1)
        for step, year in enumerate(years):
            out[year][province.short] = latest / GROWTH**step * rng.uniform(0.99, 1.01)
    return out


def gdp_export(
    provinces: list[Province], rng: np.random.Generator
) -> tuple[bytes, dict[int, dict[str, float]]]:
    return nbs_export(
        provinces,
        "地区生产总值",
        "亿元",
        gdp_values(provinces, rng),
        1,
        "演示数据，由生成器按人口与数字经济权重合成，不是官方统计。",
    )


def read_statistics_table(content: bytes) -> dict[int, dict[str, float]]:
    """{year: {province full name: value}} of one table as `nbs_export` writes it."""
    lines = content.decode("gb18030").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("地区,"))
    years = [int(cell.rstrip("年")) for cell in lines[header].split(",")[1:]]
    out: dict[int, dict[str, float]] = {year: {} for year in years}
    for line in lines[header + 1 :]:
        cells = line.split(",")
        if len(cells) != len(years) + 1:
            break
        for year, cell in zip(years, cells[1:], strict=True):
            out[year][cells[0]] = float(cell)
    return out

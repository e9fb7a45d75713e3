"""The deliveries besides the registry: shipments, network and market statistics, and the
record-level lists (patents, registered generative-AI services, 方升 leaderboard models)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from snapshot_generator.facts import Fact, national_eq, select, solve_targets
from snapshot_generator.profiles import (
    CITIES,
    DIRECT_CONNECT_POINTS,
    HANDLES,
    PROFILES,
    SERVICE_KINDS,
    YEARS,
)
from snapshot_generator.reference import Province, allocate, fmt, weighted_choice

LAST = YEARS[-1]


def cutoff(year: int) -> dt.date:
    """Index-year cut-off: data as of the end of March."""
    return dt.date(year, 3, 31)


# ----------------------------------------------------------------------------- shipments


# ----------------------------------------------------------------------------- network


BROADBAND_PORTS = {2022: 1.018e9, 2023: 1.071e9, 2024: 1.136e9, 2025: 1.202e9}
PRIVATE_LINES = {2022: 6.4e6, 2023: 7.0e6, 2024: 7.6e6, 2025: 8.3e6}
FIXED_MBPS = {2022: 62.0, 2023: 72.0, 2024: 85.0, 2025: 96.0}
MOBILE_MBPS = {2022: 58.0, 2023: 75.0, 2024: 92.0, 2025: 108.0}
OXC = {2022: 12.0, 2023: 22.0, 2024: 35.0, 2025: 48.0}
ONE_MS = {2022: 0.3, 2023: 0.9, 2024: 1.6, 2025: 2.2}  # new cases per year, scaled per province
BANDWIDTH_FACTOR = {2022: 0.72, 2023: 0.85, 2024: 1.0, 2025: 1.18}
# System C fact (2024 data): these six exceed 90 Tbps of inter-provincial egress bandwidth.
BANDWIDTH_LEADERS = {
    "广东": 1.9,
    "江苏": 1.45,
    "浙江": 1.4,
    "河南": 1.25,
    "四川": 1.22,
    "河北": 1.2,
}


def network_stats(
    provinces: list[Province], facts: list[Fact], rng: np.random.Generator
) -> dict[int, list]:
    n = len(provinces)
    fact = national_eq(facts, "direct_connect_points", LAST)
    n_points = int(fact.value) if fact else sum(y <= LAST for _, y in DIRECT_CONNECT_POINTS)
    if n_points > len(DIRECT_CONNECT_POINTS):
        raise ValueError(f"only {len(DIRECT_CONNECT_POINTS)} direct-connect points are known")
    # Points counted in LAST by the fact are open by then, whatever the list's guess.
    points = [(p, min(y, LAST)) for p, y in DIRECT_CONNECT_POINTS[:n_points]]
    profiles = [PROFILES[p.short] for p in provinces]
    pop = np.array([p.population for p in profiles])
    tech = np.array([p.tech for p in profiles])
    hub = np.array([p.is_hub for p in provinces])
    port_weights = pop * (1 + 0.25 * np.minimum(1, tech / 5)) * rng.uniform(0.95, 1.05, n)
    line_weights = pop**0.8 * (1 + tech / 3) * rng.uniform(0.9, 1.1, n)
    speed = 1 + 0.03 * (tech - 1.5) + rng.normal(0, 0.03, n)
    otn_base = rng.uniform(55, 78, n) + 6 * np.minimum(1, tech / 5)
    oxc_offset = rng.normal(0, 6, n) + 6 * hub
    latency_base = np.where(hub, rng.uniform(8, 17, n), rng.uniform(17, 32, n))
    loss_base = np.where(hub, rng.uniform(0.02, 0.12, n), rng.uniform(0.06, 0.35, n))
    score = pop**0.6 * (1 + tech / 10)
    others = np.array([p.short not in BANDWIDTH_LEADERS for p in provinces])
    band_weight = np.where(
        others,
        0.95 * score / score[others].max(),
        [BANDWIDTH_LEADERS.get(p.short, 0.0) for p in provinces],
    ) * rng.uniform(0.97, 1.0, n)
    one_ms = np.zeros(n, dtype=np.int64)
    out: dict[int, list] = {}
    for i, year in enumerate(YEARS):
        ports = allocate(round(BROADBAND_PORTS[year] * rng.uniform(0.995, 1.005)), port_weights)
        lines = allocate(round(PRIVATE_LINES[year]), line_weights)
        one_ms = one_ms + rng.poisson(ONE_MS[year] * (pop / 4000) ** 0.5 * (1 + tech / 5))
        rows = []
        for j, p in enumerate(provinces):
            points_here = sum(1 for q, y in points if q == p.short and y <= year)
            rows.append(
                (
                    p.short,
                    year,
                    int(one_ms[j]),
                    int(ports[j]),
                    fmt(min(99.5, otn_base[j] + 5.5 * i + rng.normal(0, 1)), 1),
                    int(lines[j]),
                    fmt(FIXED_MBPS[year] * speed[j] * rng.uniform(0.98, 1.02), 2),
                    fmt(MOBILE_MBPS[year] * speed[j] * rng.uniform(0.97, 1.03), 2),
                    points_here,
                    round(band_weight[j] * 80_000 * BANDWIDTH_FACTOR[year]),
                    fmt(float(np.clip(OXC[year] + oxc_offset[j], 2, 95)), 1),
                    # Hub provinces stay within the 20 ms inter-hub latency target.
                    fmt(min(latency_base[j] * (1 - 0.04 * i), 19.5 if hub[j] else 99), 2),
                    fmt(loss_base[j] * 0.92**i, 3),
                )
            )
        out[year] = rows
    return out


# ----------------------------------------------------------------------------- environment


LLM_ENTERPRISES = {2022: 650, 2023: 1600, 2024: 3100, 2025: 4600}
GRADUATES_WAN = {2022: 1076.0, 2023: 1158.0, 2024: 1179.0, 2025: 1222.0}
EVENTS = {2022: 420, 2023: 560, 2024: 700, 2025: 860}
HONOURS = {2022: 180, 2023: 240, 2024: 300, 2025: 360}
POLICY_SHARE = {2022: 0.45, 2023: 0.6, 2024: 0.8, 2025: 1.0}
LEADING_FIRMS_TOTAL = 50


def environment_market(
    provinces: list[Province], facts: list[Fact], rng: np.random.Generator
) -> dict[int, list]:
    n = len(provinces)
    codes = [p.code for p in provinces]
    profiles = [PROFILES[p.short] for p in provinces]
    pop = np.array([p.population for p in profiles])
    tech = np.array([p.tech for p in profiles])
    racks = np.array([p.racks for p in profiles])
    hub = np.array([p.is_hub for p in provinces])
    firm_drift = rng.uniform(0.5, 2.0, n)
    out: dict[int, list] = {}
    for year in YEARS:
        back = LAST - year
        prior = {
            c: p.temperature + rng.normal(0, 0.3) for c, p in zip(codes, profiles, strict=True)
        }
        temps = solve_targets(
            prior,
            select(facts, "annual_mean_temperature", year),
            rng,
            rank_gap=0.25,
            relative_gap=False,
        )
        policies = _policies(provinces, facts, year, rng)
        enterprises = allocate(
            LLM_ENTERPRISES[year], tech**1.4 * rng.uniform(0.9, 1.1, n), minimum=1
        )
        graduates = allocate(
            round(GRADUATES_WAN[year] * 100),
            pop * np.array([p.education for p in profiles]) * rng.uniform(0.97, 1.03, n),
        )
        events = allocate(
            EVENTS[year], tech**0.8 * np.where(hub, 1.5, 1.0) * rng.uniform(0.8, 1.2, n), 1
        )
        honours = allocate(HONOURS[year], racks**0.6 * (1 + tech / 10) * rng.uniform(0.8, 1.2, n))
        rows = []
        for j, p in enumerate(provinces):
            firms = int(np.clip(round(profiles[j].firms - back * firm_drift[j]), 1, 50))
            rows.append(
                (
                    p.name_zh,
                    year,
                    fmt(temps[p.code], 1),
                    policies[p.code],
                    firms,
                    LEADING_FIRMS_TOTAL,
                    int(enterprises[j]),
                    fmt(graduates[j] / 100, 2),
                    int(events[j]),
                    int(honours[j]),
                )
            )
        out[year] = rows
    return out


def _policies(
    provinces: list[Province], facts: list[Fact], year: int, rng: np.random.Generator
) -> dict[str, int]:
    """Policy documents issued: the published "more than N" provinces get more than N; every
    other province stays at or below the threshold (as the report's statement implies)."""
    bounds = {
        f.unit_code: int(f.value)
        for f in select(facts, "policy_documents", year)
        if f.comparison == "gt"
    }
    threshold = min(bounds.values(), default=10)
    out = {}
    for p in provinces:
        value = round(PROFILES[p.short].policy * POLICY_SHARE[year] * rng.uniform(0.85, 1.15))
        if p.code in bounds:
            value = max(value, bounds[p.code] + 1 + int(rng.integers(0, 3)))
        else:
            value = min(value, threshold)
        out[p.code] = max(0, value)
    return out


# ----------------------------------------------------------------------------- patents


# Filings per index-year window (April to March). 2021 (filings from April 2020) makes
# calendar year 2021's applications complete for System C; the earlier windows make its grants
# complete too, since an invention is granted up to about three years after filing.
PATENTS_PER_YEAR = {2021: 2500, 2022: 3000, 2023: 3800, 2024: 4900, 2025: 6300}
EARLIER_PATENTS_PER_YEAR = {2018: 1500, 2019: 1800, 2020: 2100}
LLM_SHARE = {2021: 0.03, 2022: 0.06, 2023: 0.12, 2024: 0.30, 2025: 0.45}
EARLIER_LLM_SHARE = {2018: 0.0, 2019: 0.0, 2020: 0.0}
GRANT_SHARE = 0.6


def cn_application_number(year: int, serial: int, kind: int = 1) -> str:
    """CNIPA application number with its check digit (weights 2-9, 2-5; mod 11); `kind` is
    the type digit: 1 invention, 2 utility model."""
    digits = f"{year}{kind}{serial:07d}"
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    check = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return f"CN{digits}.{'X' if check == 10 else check}"


def patents(
    provinces: list[Province],
    rng: np.random.Generator,
    per_year: dict[int, int] = PATENTS_PER_YEAR,
    llm_share: dict[int, float] = LLM_SHARE,
    serial_range: tuple[int, int] = (10_000, 2_000_000),
) -> list[tuple]:
    """Invention patents filed in the given index-year windows; a separate `serial_range`
    keeps the application numbers of another call's filings in the same year apart."""
    tech = np.array([PROFILES[p.short].tech for p in provinces])
    pop = np.array([PROFILES[p.short].population for p in provinces])
    weights = tech**1.2 * (pop / 5000) ** 0.3
    llm_bias = 0.7 + 0.6 * np.minimum(1, tech / 6)
    records = []
    for year in sorted(per_year):
        start = cutoff(year - 1) + dt.timedelta(days=1)
        days = (cutoff(year) - start).days + 1
        count = per_year[year]
        who = rng.choice(len(provinces), size=count, p=weights / weights.sum())
        offsets = np.sort(rng.integers(0, days, count))
        llm = rng.random(count) < llm_share[year] * llm_bias[who]
        for k in range(count):
            records.append((start + dt.timedelta(days=int(offsets[k])), int(who[k]), bool(llm[k])))
    records.sort(key=lambda r: r[0])
    # Serial numbers rise with the filing date within each filing year.
    by_year: dict[int, int] = {}
    for filed, _, _ in records:
        by_year[filed.year] = by_year.get(filed.year, 0) + 1
    serials = {
        y: iter(np.sort(rng.choice(np.arange(*serial_range), size=c, replace=False)))
        for y, c in sorted(by_year.items())
    }
    rows = []
    for filed, who, llm in records:
        granted = ""
        if rng.random() < GRANT_SHARE:
            grant = filed + dt.timedelta(days=int(rng.integers(330, 1000)))
            granted = grant.isoformat() if grant <= cutoff(LAST) else ""
        rows.append(
            (
                cn_application_number(filed.year, int(next(serials[filed.year]))),
                provinces[who].name_zh,
                filed.isoformat(),
                granted,
                "Y" if llm else "N",
            )
        )
    return rows


# ----------------------------------------------------------------------------- models


# Registration list published in batches: (date, share of the services registered by the
# last cut-off). The first six batches (to March 2024) hold 117 of 439.
GENAI_BATCHES: list[tuple[dt.date, float]] = [
    (dt.date(2023, 8, 31), 8), (dt.date(2023, 11, 7), 15), (dt.date(2023, 12, 28), 22),
    (dt.date(2024, 1, 24), 20), (dt.date(2024, 3, 1), 24), (dt.date(2024, 3, 28), 28),
    (dt.date(2024, 4, 26), 30), (dt.date(2024, 6, 5), 34), (dt.date(2024, 7, 29), 38),
    (dt.date(2024, 9, 4), 36), (dt.date(2024, 10, 25), 34), (dt.date(2024, 11, 29), 38),
    (dt.date(2025, 1, 8), 36), (dt.date(2025, 2, 18), 38), (dt.date(2025, 3, 21), 38),
]  # fmt: skip
COMPANY_WORDS = ("科技有限公司", "智能科技有限公司", "信息技术有限公司", "网络科技有限公司")


class Names:
    """Unique brand names (handle x kind) and providers shared by services and models."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[tuple[int, int]] = set()
        self.providers: dict[str, list[str]] = {}

    def brand(self) -> tuple[int, int]:
        while True:
            pick = (
                int(self.rng.integers(len(HANDLES))),
                int(self.rng.integers(len(SERVICE_KINDS))),
            )
            if pick not in self.used:
                self.used.add(pick)
                return pick

    def provider(self, province: Province, handle: str, reuse: float = 0.0) -> str:
        known = self.providers.setdefault(province.code, [])
        if known and self.rng.random() < reuse:
            return known[int(self.rng.integers(len(known)))]
        cities = CITIES[province.short]
        stem = cities[weighted_choice(self.rng, [c[2] for c in cities])][1]
        if self.rng.random() < 0.12:
            name = f"{stem}{handle}人工智能研究院"
        else:
            name = f"{stem}{handle}{COMPANY_WORDS[int(self.rng.integers(len(COMPANY_WORDS)))]}"
        if name not in known:
            known.append(name)
        return name


def genai_services(
    provinces: list[Province], facts: list[Fact], names: Names, rng: np.random.Generator
) -> list[tuple]:
    fixed = {
        f.unit_code: int(f.value)
        for f in select(facts, "genai_services_registered", LAST)
        if f.comparison == "eq" and f.unit_level == "province"
    }
    fact = national_eq(facts, "genai_services_registered", LAST)
    total = int(fact.value) if fact else 439
    free = [p for p in provinces if p.code not in fixed]
    weights = np.array([PROFILES[p.short].tech ** 1.5 for p in free])
    weights = weights * rng.uniform(0.8, 1.2, len(free))
    counts = dict(fixed)
    counts.update(
        zip(
            [p.code for p in free],
            allocate(total - sum(fixed.values()), weights).tolist(),
            strict=True,
        )
    )
    owner = np.array([p_i for p_i, p in enumerate(provinces) for _ in range(counts[p.code])])
    owner = owner[rng.permutation(len(owner))]
    sizes = allocate(total, np.array([b[1] for b in GENAI_BATCHES]))
    dates = np.repeat(np.arange(len(GENAI_BATCHES)), sizes)
    rows = []
    for seq, (p_i, batch) in enumerate(zip(owner, dates, strict=True), start=1):
        province = provinces[int(p_i)]
        day = GENAI_BATCHES[int(batch)][0]
        handle, kind = names.brand()
        zh, pinyin = HANDLES[handle]
        rows.append(
            (
                f"{province.name_en.replace(' ', '')}-{pinyin}-{day:%Y%m%d}S{seq:04d}",
                f"{zh}{SERVICE_KINDS[kind]}",
                names.provider(province, zh),
                province.name_zh,
                day.isoformat(),
            )
        )
    return rows


MODEL_SIZES = ("1.8B", "6B", "7B", "13B", "14B", "32B", "34B", "70B", "72B", "110B", "130B")
MODEL_VARIANTS = ("Chat", "Instruct", "Base", "Pro", "Turbo")


def fangsheng_models(
    provinces: list[Province], names: Names, rng: np.random.Generator
) -> list[tuple]:
    weights = np.array([PROFILES[p.short].tech ** 1.5 for p in provinces])
    rows = []
    seen: set[str] = set()
    month = dt.date(2023, 6, 1)
    m = 0
    while month <= cutoff(LAST):
        day = month.replace(day=int(rng.integers(5, 26)))
        for k in range(max(0, round(4 + 0.75 * m + rng.normal(0, 1.5)))):
            province = provinces[weighted_choice(rng, weights)]
            while True:
                handle = int(rng.integers(len(HANDLES)))
                size = MODEL_SIZES[int(rng.integers(len(MODEL_SIZES)))]
                variant = MODEL_VARIANTS[int(rng.integers(len(MODEL_VARIANTS)))]
                name = f"{HANDLES[handle][1]}-{size}-{variant}"
                if name not in seen:
                    seen.add(name)
                    break
            rows.append(
                (
                    f"FS-{day:%Y%m}-{k + 1:03d}",
                    name,
                    names.provider(province, HANDLES[handle][0], reuse=0.5),
                    province.name_zh,
                    day.isoformat(),
                )
            )
        m += 1
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


def frame(rows: list[tuple], columns: list[str], provenance: str, source: str) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    df["provenance"] = provenance
    df["provenance_source"] = source
    return df

"""The compute-centre registry: one record per centre per index year, calibrated to the facts.

Top-down: province-year targets come from the profiles and the published facts; a persistent
population of centres (ids, names, sizes, opening years) is then given shares of those targets
with exact integer allocation, so every province sum hits its target to the last rack, 0.1
PFLOPS and TB. Ratios (utilisation, PUE, clean share) are calibrated per province or nationally.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from snapshot_generator.cities import HostingCity, cover_hosting_cities
from snapshot_generator.facts import Fact, in_band, national_eq, select, solve_targets
from snapshot_generator.profiles import (
    CENTRE_KINDS,
    CITIES,
    NATIONAL_PATH,
    OPERATORS,
    PARKS,
    PROFILES,
    YEARS,
    Profile,
)
from snapshot_generator.reference import Province, allocate, weighted_choice

CENTRE_COLUMNS = (
    "centre_id",
    "centre_name",
    "province",
    "city",
    "racks_in_use",
    "racks_under_construction",
    "racks_fitted_out",
    "racks_used",
    "intelligent_compute_pflops",
    "general_compute_pflops",
    "storage_capacity_pb",
    "external_storage_pb",
    "all_flash_pb",
    "storage_iops",
    "total_energy_mwh",
    "it_energy_mwh",
    "co2_tonnes",
    "clean_energy_mwh",
    "electricity_price_yuan_per_kwh",
    "revenue_wan_yuan",
    "egress_bandwidth_gbps",
    "backbone_connected",
    "metro_connected",
    "high_performance_network",
)
TARGET_CENTRES_2025 = 3150
RAMP = (0.45, 0.70, 0.85)  # share of the design in production 0, 1, 2 years after opening
STANDARD_RACK_MWH = 2.5 * 8.76  # one 2.5 kW rack at full load for a year
AI_REVENUE_PER_PFLOPS = {2022: 40.0, 2023: 30.0, 2024: 18.0, 2025: 12.0}  # 万元 per year
GROUP_SHARES = {("intelligent_compute", 2025, "130000"): 0.148}  # METHODOLOGY.md §7
HPN_BASE = {2022: 0.08, 2023: 0.13, 2024: 0.22, 2025: 0.32}
EGRESS_YEAR = {2022: 0.72, 2023: 0.81, 2024: 0.90, 2025: 1.00}
# Densest AI hall: ~2.4 PFLOPS FP16 per 2.5 kW standard rack, in 0.1 PFLOPS units.
MAX_AI_PER_RACK = 24
# Unit multipliers from indicator units to the integer units records are allocated in.
RACK_UNITS = 10_000  # 万架 -> racks
AI_UNITS = 10_000  # EFLOPS -> 0.1 PFLOPS
STORAGE_UNITS = 1_000_000  # EB -> TB (0.001 PB)


def allocate_capped(total: int, weights: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """`allocate`, but no element above its cap: the excess goes to the others."""
    out = np.zeros(len(weights), dtype=np.int64)
    open_ = np.ones(len(weights), dtype=bool)
    while True:
        share = allocate(total - int(out[~open_].sum()), np.where(open_, weights, 0.0))
        over = open_ & (share > cap)
        if not over.any():
            return np.where(open_, share, out)
        out[over] = cap[over]
        open_ &= ~over
        if not open_.any():
            raise ValueError("targets exceed the capacity of the records")


def ramp(years_open: np.ndarray) -> np.ndarray:
    out = np.ones_like(years_open, dtype=float)
    out[years_open < 0] = 0.0
    for k, share in enumerate(RAMP):
        out[years_open == k] = share
    return out


# ----------------------------------------------------------------------------- targets


@dataclass
class Targets:
    """Province-year targets, keyed [indicator][year][province code]."""

    additive: dict[str, dict[int, dict[str, int]]]  # in integer record units
    ratio: dict[str, dict[int, dict[str, float]]]  # utilisation and clean share in %
    national_pue: dict[int, float]


def _interpolate(v2025: float, growth: float, year: int, path: dict[int, float]) -> float:
    """A province's value in `year` on a geometric path shaped like the national one."""
    t = math.log(path[year] / path[YEARS[0]]) / math.log(path[YEARS[-1]] / path[YEARS[0]])
    return v2025 / growth ** (1.0 - t)


def _national(facts: list[Fact], indicator: str, year: int, rng: np.random.Generator) -> float:
    fact = national_eq(facts, indicator, year)
    if fact is not None:
        return in_band(fact, rng)
    return NATIONAL_PATH[indicator][year] * rng.uniform(0.995, 1.005)


def _to_units(values: dict[str, float], national: float, units: int) -> dict[str, int]:
    """Round province targets to record units; the largest province takes the rounding so
    the provinces add up exactly to the national figure."""
    out = {code: round(v * units) for code, v in values.items()}
    largest = max(out, key=out.__getitem__)
    out[largest] += round(national * units) - sum(out.values())
    return out


def build_targets(
    provinces: list[Province], facts: list[Fact], rng: np.random.Generator
) -> Targets:
    prof = {p.code: PROFILES[p.short] for p in provinces}
    additive: dict[str, dict[int, dict[str, int]]] = {}
    growth_of = {
        "racks_in_use": ("racks", "racks_growth", RACK_UNITS),
        "intelligent_compute": ("ai", "ai_growth", AI_UNITS),
        "storage_capacity": ("storage", "storage_growth", STORAGE_UNITS),
    }
    levels: dict[str, dict[int, dict[str, float]]] = {}
    for indicator, (level, growth, units) in growth_of.items():
        additive[indicator], levels[indicator] = {}, {}
        path = NATIONAL_PATH[indicator]
        for year in YEARS:
            # A little noise so neighbouring provinces do not share suspiciously equal values.
            prior = {
                c: _interpolate(getattr(p, level), getattr(p, growth), year, path)
                * rng.lognormal(0.0, 0.025)
                for c, p in prof.items()
            }
            national = _national(facts, indicator, year, rng)
            constraints = select(facts, indicator, year) + _group_shares(indicator, year, national)
            gap = {"racks_in_use": 0.03, "intelligent_compute": 0.04}.get(indicator, 0.02)
            solved = solve_targets(prior, constraints, rng, national=national, rank_gap=gap)
            levels[indicator][year] = solved
            additive[indicator][year] = _to_units(solved, national, units)

    # Under construction: next year's growth (racks become in-use later) plus longer projects.
    racks = levels["racks_in_use"]
    additive["racks_under_construction"] = {}
    for year in YEARS:
        prior = {}
        for code, p in prof.items():
            now = racks[year][code]
            nxt = racks[year + 1][code] if year + 1 in racks else now * p.racks_growth ** (1 / 3)
            prior[code] = max(nxt - now, 0.0) * 1.1 + 0.08 * now
        national = _national(facts, "racks_under_construction", year, rng)
        solved = solve_targets(
            prior, select(facts, "racks_under_construction", year), rng, national=national
        )
        additive["racks_under_construction"][year] = _to_units(solved, national, RACK_UNITS)

    ratio: dict[str, dict[int, dict[str, float]]] = {"rack_utilisation": {}, "clean": {}}
    drift_util = {c: rng.uniform(0.4, 2.2) for c in prof}
    drift_clean = {c: rng.uniform(1.0, 3.2) for c in prof}
    for year in YEARS:
        back = YEARS[-1] - year
        prior = {
            c: p.utilisation - back * drift_util[c] + rng.normal(0, 0.3) for c, p in prof.items()
        }
        ratio["rack_utilisation"][year] = solve_targets(
            prior,
            select(facts, "rack_utilisation", year),
            rng,
            rank_gap=1.2,
            relative_gap=False,
        )
        prior = {
            c: max(p.clean - back * drift_clean[c] + rng.normal(0, 0.4), 3.0)
            for c, p in prof.items()
        }
        ratio["clean"][year] = solve_targets(
            prior,
            select(facts, "clean_energy_share", year),
            rng,
            rank_gap=1.5,
            relative_gap=False,
        )
    national_pue = {year: _national(facts, "pue", year, rng) for year in YEARS}
    return Targets(additive, ratio, national_pue)


def _group_shares(indicator: str, year: int, national: float) -> list[Fact]:
    """Group statements that pin a province's share of the national total, as eq constraints
    (河北 holds ≈ 14.8 % of the national intelligent compute in 2025)."""
    return [
        Fact(f"share-{code}", year, "province", code, indicator, "eq", share * national, 1, "")
        for (ind, y, code), share in GROUP_SHARES.items()
        if ind == indicator and y == year
    ]


# ----------------------------------------------------------------------------- population


@dataclass
class Population:
    frame: pd.DataFrame  # one row per centre, static attributes


def build_population(
    provinces: list[Province],
    rng: np.random.Generator,
    hosting: dict[str, list[HostingCity]],
    cities_rng: np.random.Generator,
) -> Population:
    weights = []
    for p in provinces:
        prof = PROFILES[p.short]
        region = 1.25 if p.region == "east" else (0.85 if p.is_hub else 1.0)
        weights.append(prof.racks**0.7 * region)
    counts = allocate(TARGET_CENTRES_2025, np.array(weights), minimum=8)
    rows = []
    for p, n in zip(provinces, counts, strict=True):
        prof = PROFILES[p.short]
        cities = CITIES[p.short]
        p_new = float(np.clip(0.10 + 0.12 * (prof.racks_growth - 1.4), 0.08, 0.32))
        for _ in range(int(n)):
            city, stem, city_weight = cities[weighted_choice(rng, [c[2] for c in cities])]
            if rng.random() < p_new:
                first = int(rng.integers(2023, 2027))
            else:
                old_years = np.arange(2008, 2023)
                first = int(old_years[weighted_choice(rng, 1 + 0.3 * (old_years - 2008))])
            column = 0 if first <= 2022 else 1
            kinds = list(CENTRE_KINDS)
            kind = kinds[weighted_choice(rng, [CENTRE_KINDS[k][column] for k in kinds])]
            size = rng.lognormal(0.0, 1.0) * (1.6 if city_weight >= 4 else 1.0)
            size *= 1.3 if kind == "ai" and first > 2022 else 1.0
            expands = first <= 2022 and rng.random() < 0.3
            rows.append(
                {
                    "province_code": p.code,
                    "city": city,
                    "stem": stem,
                    "city_weight": city_weight,
                    "kind": kind,
                    "first": first,
                    "size": size,
                    "exp_year": int(rng.integers(2023, 2027)) if expands else 9999,
                    "exp_size": size * rng.uniform(0.3, 0.9) if expands else 0.0,
                }
            )
    frame = pd.DataFrame(rows)
    # Every province keeps in-use centres in every year: its two largest opened long ago.
    for _, group in frame.groupby("province_code", sort=True):
        for index in group["size"].nlargest(2).index:
            if frame.at[index, "first"] > 2021:
                frame.at[index, "first"] = int(rng.integers(2012, 2021))
    frame = cover_hosting_cities(frame, hosting, cities_rng)
    n = len(frame)
    ai = frame["kind"].eq("ai").to_numpy()
    frame["ai_intensity"] = np.where(
        ai,
        rng.lognormal(math.log(10.0), 0.5, n),
        np.where(
            frame["kind"].eq("hpc"),
            3.0,
            np.where(rng.random(n) < 0.5, 0.0, rng.lognormal(math.log(0.6), 0.6, n)),
        ),
    )
    storage_kind = frame["kind"].map({"bigdata": 1.6, "ai": 1.3}).fillna(1.0)
    frame["storage_intensity"] = rng.lognormal(0.0, 0.5, n) * storage_kind
    frame["external_share"] = rng.uniform(0.35, 0.75, n)
    frame["load"] = np.minimum(rng.uniform(0.40, 0.62, n) * np.where(ai, 1.15, 1.0), 0.8)
    frame["size_pct"] = frame.groupby("province_code")["size"].rank(pct=True)
    frame["pue_noise"] = rng.lognormal(0.0, 0.12, n)
    frame["util_noise"] = rng.normal(0.0, 0.10, n)
    frame["clean_noise"] = rng.normal(0.0, 0.06, n)
    frame["egress_noise"] = rng.lognormal(0.0, 0.35, n)
    frame["general_per_rack"] = rng.uniform(0.012, 0.030, n)
    frame["u_backbone"] = rng.random(n)
    frame["u_metro"] = rng.random(n)
    frame["u_hpn"] = rng.random(n)
    frame["operator_draw"] = rng.random(n)
    # Registry ids are assigned in order of appearance, so older centres carry lower numbers.
    frame["order"] = rng.random(n)
    frame = frame.sort_values(["province_code", "first", "order"], kind="stable")
    frame["seq"] = frame.groupby("province_code").cumcount() + 1
    frame["centre_id"] = "DC-" + frame["province_code"] + "-" + frame["seq"].map("{:04d}".format)
    frame = frame.reset_index(drop=True)
    frame["centre_name"] = _names(frame, rng)
    return Population(frame)


_ORDINALS = "二三四五六七八九十"


def _names(frame: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    operators = [o[0] for o in OPERATORS]
    operator_weights = np.array([o[1] for o in OPERATORS])
    cluster_counter: dict[str, int] = {}
    used: set[str] = set()
    names = []
    for row in frame.itertuples():
        kind_word = CENTRE_KINDS[row.kind][2][int(rng.integers(len(CENTRE_KINDS[row.kind][2])))]
        operator = operators[weighted_choice(rng, operator_weights)]
        # Only the national hub clusters are named as numbered 集群 members.
        pattern = weighted_choice(rng, [4, 2, 2 if row.city_weight >= 4 else 0, 1.5, 1])
        if pattern == 0:
            name = f"{operator}{row.stem}{kind_word}"
        elif pattern == 1:
            name = f"{operator}（{row.stem}）{kind_word}"
        elif pattern == 2:
            cluster_counter[row.stem] = cluster_counter.get(row.stem, 0) + 1
            name = f"{row.stem}{kind_word}集群{cluster_counter[row.stem]}号"
        elif pattern == 3:
            name = f"{row.stem}{PARKS[int(rng.integers(len(PARKS)))]}{kind_word}"
        else:
            name = f"{operator}{row.stem}{PARKS[int(rng.integers(len(PARKS)))]}{kind_word}"
        candidate, k = name, 0
        while candidate in used:  # a second building of the same operator: 二期, 三期, ...
            suffix = f"{_ORDINALS[k]}期" if k < len(_ORDINALS) else f"{k + 2}号"
            candidate, k = f"{name}{suffix}", k + 1
        used.add(candidate)
        names.append(candidate)
    return names


# ----------------------------------------------------------------------------- records


def _calibrate_share(
    base: np.ndarray, weight: np.ndarray, target: float, low: float, high: float
) -> np.ndarray:
    """Scale per-centre shares so their weight-weighted mean hits `target` within bounds."""
    share = np.clip(base, low, high)
    for _ in range(60):
        mean = float((share * weight).sum() / weight.sum())
        if abs(mean - target) < 1e-9:
            break
        share = np.clip(share * target / mean, low, high)
    return share


def _fix_sum(values: np.ndarray, cap: np.ndarray, floor_: np.ndarray, want: int) -> np.ndarray:
    """Move an integer vector's sum to `want`, one unit at a time on the largest entries,
    without leaving [floor_, cap]: absorbs the rounding of a province's records."""
    values = values.copy()
    diff = want - int(values.sum())
    order = np.argsort(-cap, kind="stable")
    while diff:
        moved = False
        for i in order:
            if diff > 0 and values[i] < cap[i]:
                step = min(diff, int(cap[i] - values[i]))
                values[i] += step
                diff -= step
                moved = True
            elif diff < 0 and values[i] > floor_[i]:
                step = min(-diff, int(values[i] - floor_[i]))
                values[i] -= step
                diff += step
                moved = True
            if not diff:
                break
        if not moved:
            raise ValueError("cannot reach the target sum within bounds")
    return values


def build_year(
    population: Population,
    provinces: list[Province],
    targets: Targets,
    year: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Numeric records of one index year (integer units; formatting happens on writing)."""
    pop = population.frame
    member = (pop["first"] - 1 <= year).to_numpy()
    df = pop.loc[member].copy().reset_index(drop=True)
    n = len(df)
    open_years = year - df["first"].to_numpy()
    exp_years = year - df["exp_year"].to_numpy()
    size, exp_size = df["size"].to_numpy(), df["exp_size"].to_numpy()
    w_in = size * ramp(open_years) + exp_size * ramp(exp_years)
    w_uc = (
        size * (ramp(open_years + 1) - ramp(open_years))
        + 0.5 * size * (ramp(open_years + 2) - ramp(open_years + 1))
        + exp_size * (ramp(exp_years + 1) - ramp(exp_years))
        + 0.5 * exp_size * (ramp(exp_years + 2) - ramp(exp_years + 1))
    )
    producing = open_years >= 0
    cols = {
        name: np.zeros(n, dtype=np.int64)
        for name in (
            "in_use",
            "uc",
            "fitted",
            "used",
            "ai_u",
            "gen_u",
            "sto_u",
            "ext_u",
            "flash_u",
            "iops",
            "it_u",
            "egress_u",
        )
    }
    it_raw = np.zeros(n)
    prof_of = {p.code: PROFILES[p.short] for p in provinces}
    codes = df["province_code"].to_numpy()
    back = YEARS[-1] - year
    for code in sorted(prof_of):
        idx = np.flatnonzero(codes == code)
        prod = idx[producing[idx]]
        prof = prof_of[code]
        in_use = allocate(targets.additive["racks_in_use"][year][code], w_in[prod], minimum=50)
        cols["in_use"][prod] = in_use
        pre_open = ~producing[idx]
        uc_weights = w_uc[idx] if w_uc[idx].sum() > 0 else size[idx]
        cols["uc"][idx] = allocate(
            targets.additive["racks_under_construction"][year][code],
            uc_weights,
            minimum=np.where(pre_open, 100, 0),
        )
        # Fit-out lags in the first year of production.
        first_year = open_years[prod] == 0
        fit = np.where(
            first_year, rng.uniform(0.55, 0.85, len(prod)), rng.uniform(0.86, 1.0, len(prod))
        )
        fitted = np.maximum(1, np.floor(in_use * fit)).astype(np.int64)
        util = targets.ratio["rack_utilisation"][year][code] / 100
        share = _calibrate_share(
            util + df["util_noise"].to_numpy()[prod] + rng.normal(0, 0.03, len(prod)),
            fitted.astype(float),
            util,
            0.12,
            0.98,
        )
        used = np.clip(np.round(fitted * share).astype(np.int64), 1, fitted)
        used = _fix_sum(used, fitted, np.ones_like(used), round(util * fitted.sum()))
        cols["fitted"][prod], cols["used"][prod] = fitted, used

        ai_w = in_use * df["ai_intensity"].to_numpy()[prod]
        cols["ai_u"][prod] = allocate_capped(
            targets.additive["intelligent_compute"][year][code], ai_w, in_use * MAX_AI_PER_RACK
        )
        growth = 1 + 0.18 * (year - YEARS[0])
        gen = used * df["general_per_rack"].to_numpy()[prod] * growth * 10
        cols["gen_u"][prod] = np.maximum(1, np.round(gen)).astype(np.int64)

        sto = allocate(
            targets.additive["storage_capacity"][year][code],
            in_use * df["storage_intensity"].to_numpy()[prod],
            minimum=50,
        )
        ext = np.floor(sto * df["external_share"].to_numpy()[prod]).astype(np.int64)
        adv = (22 + 12 * min(1.0, prof.tech / 6) - 3.5 * back) / 100
        flash_share = np.clip(adv + rng.normal(0, 0.08, len(prod)), 0.02, 0.95)
        flash = np.floor(ext * flash_share).astype(np.int64)
        flash_frac = flash / sto
        per_tb = (1 - flash_frac) * rng.uniform(90, 150, len(prod)) + flash_frac * rng.uniform(
            2000, 3200, len(prod)
        )
        cols["sto_u"][prod], cols["ext_u"][prod], cols["flash_u"][prod] = sto, ext, flash
        cols["iops"][prod] = np.round(sto * per_tb).astype(np.int64)

        drawn = used + 0.2 * (in_use - used)
        it_raw[prod] = drawn * STANDARD_RACK_MWH * df["load"].to_numpy()[prod]
        cols["it_u"][prod] = np.maximum(10, np.round(it_raw[prod] * 10)).astype(np.int64)
        mbps = prof.mbps * EGRESS_YEAR[year] * df["egress_noise"].to_numpy()[prod]
        cols["egress_u"][prod] = np.maximum(1, np.round(in_use * mbps / 100)).astype(np.int64)

    out = pd.DataFrame(cols)
    out.insert(0, "province_code", codes)
    for name in ("centre_id", "centre_name", "city", "kind", "first", "size_pct"):
        out[name] = df[name].to_numpy()
    _energy(out, df, prof_of, targets, year, rng)
    _money_and_flags(out, df, prof_of, year, rng)
    return out


def _energy(
    out: pd.DataFrame,
    df: pd.DataFrame,
    prof_of: dict[str, Profile],
    targets: Targets,
    year: int,
    rng: np.random.Generator,
) -> None:
    """Total energy from a per-centre PUE calibrated to the national figure; clean energy
    calibrated per province; CO2 from the non-clean part."""
    n = len(out)
    back = YEARS[-1] - year
    first = out["first"].to_numpy()
    base = np.array([prof_of[c].pue + 0.025 * back for c in out["province_code"]])
    age = np.where(first <= 2015, 1.25, np.where(first <= 2019, 1.1, 0.95))
    size_factor = 1.2 - 0.3 * out["size_pct"].to_numpy()
    raw = (base - 1) * age * size_factor * df["pue_noise"].to_numpy()
    it = out["it_u"].to_numpy().astype(float)
    producing = out["in_use"].to_numpy() > 0
    target = targets.national_pue[year]

    def national(k: float) -> float:
        pue = np.clip(1 + raw * k, 1.08, 2.4)
        return float((it * pue).sum() / it.sum())

    low, high = 0.1, 5.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if national(mid) < target else (low, mid)
    pue = np.clip(1 + raw * (low + high) / 2, 1.08, 2.4)
    total = np.where(producing, np.round(it * pue), 0).astype(np.int64)
    out["total_u"] = total

    clean = np.zeros(n, dtype=np.int64)
    codes = out["province_code"].to_numpy()
    for code in sorted(prof_of):
        idx = np.flatnonzero((codes == code) & producing)
        share_target = targets.ratio["clean"][year][code] / 100
        share = _calibrate_share(
            share_target + df["clean_noise"].to_numpy()[idx] + rng.normal(0, 0.03, len(idx)),
            total[idx].astype(float),
            share_target,
            0.0,
            1.0,
        )
        part = np.floor(total[idx] * share).astype(np.int64)
        want = round(share_target * total[idx].sum())
        clean[idx] = _fix_sum(part, total[idx], np.zeros_like(part), want)
    out["clean_u"] = clean
    emission = np.array([prof_of[c].emission for c in codes]) * rng.uniform(0.97, 1.03, n)
    out["co2_u"] = np.round((total - clean) * emission).astype(np.int64)


def _money_and_flags(
    out: pd.DataFrame,
    df: pd.DataFrame,
    prof_of: dict[str, Profile],
    year: int,
    rng: np.random.Generator,
) -> None:
    n = len(out)
    back = YEARS[-1] - year
    codes = out["province_code"].to_numpy()
    price_p = np.array([prof_of[c].price * (1 + 0.015 * back) for c in codes])
    out["price"] = np.maximum(0.2, price_p * rng.uniform(0.92, 1.08, n))
    rent = (2.5 + 5.0 * (price_p - 0.3)) * (1 + 0.03 * (year - YEARS[0]))
    revenue = out["used"].to_numpy() * rent * rng.uniform(0.8, 1.2, n)
    ai_rate = AI_REVENUE_PER_PFLOPS[year] * rng.uniform(0.8, 1.2, n)
    revenue += out["ai_u"].to_numpy() / 10 * ai_rate
    out["revenue_u"] = np.round(revenue * 10).astype(np.int64)
    producing = out["in_use"].to_numpy() > 0
    pct = out["size_pct"].to_numpy()
    since = year - YEARS[0]
    strong = out["kind"].isin(["ai", "hpc"]).to_numpy()
    p_hpn = HPN_BASE[year] * np.where(strong, 2.2, 1.0) * (0.6 + 0.8 * pct)
    out["backbone"] = producing & (df["u_backbone"].to_numpy() < 0.3 + 0.5 * pct + 0.03 * since)
    out["metro"] = producing & (df["u_metro"].to_numpy() < 0.5 + 0.4 * pct + 0.02 * since)
    out["hpn"] = producing & (df["u_hpn"].to_numpy() < p_hpn)

"""Hourly cumulative meter registers (source `centre_energy`) of N centres for a year, one
Parquet (or CSV) file per month.

Each centre has a mean IT load (from its registry row's IT energy), a base PUE (1.22-1.55)
with a summer peak and an afternoon peak, a daily IT-load cycle, a clean-energy share
(10-60 %, more at midday) and a CO2 factor (0.50-0.60 kg per kWh of non-clean energy; about
one centre in twenty does not account CO2: empty). Readings are registers: the energy of
every hour is added to the previous reading, from a register that already counts some
years of operation on 1 January, and the next month continues where the last one ended.

Gaps (the default, accepted by intake and reported): single hours lost at random
(`gap_rate`) and a few outages of 3-48 hours. Defects (`defects`, refused by intake): a
duplicated hour, a meter reset (the registers restart near zero), a negative reading, a
reading stamped in the next month.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from scale_generator.registry import Registry

SEED = 7
GAP_RATE = 0.002  # single missing hours
OUTAGE_RATE = 0.004  # share of centres with one outage of 3-48 hours in a month
DEFECT_KINDS = ("duplicates", "resets", "negative", "outside")
ROW_GROUP = 1_000_000
REGISTERS = ("facility_kwh", "it_kwh", "clean_kwh", "co2_kg")


def provenance_source(seed: int) -> str:
    return f"tools/scale telemetry generator, seed {seed}"


@dataclass(frozen=True)
class Profiles:
    """Per-centre parameters, drawn once for the year."""

    it_kw: np.ndarray
    it_daily: np.ndarray  # amplitude of the daily IT cycle
    pue: np.ndarray
    pue_summer: np.ndarray
    clean: np.ndarray
    co2_factor: np.ndarray  # NaN: CO2 not accounted
    start: np.ndarray  # (4, n) registers on 1 January 00:00


@dataclass(frozen=True)
class Defect:
    kind: str
    centre_id: str
    reading_hour: datetime


def profiles(registry: Registry, year: int, seed: int) -> Profiles:
    n = len(registry.rows)
    rng = np.random.default_rng([seed, year, 0])
    it_mwh = registry.column("it_energy_mwh")
    it_kw = it_mwh * 1000 / 8760 * rng.uniform(0.9, 1.1, n)
    it_daily = rng.uniform(0.05, 0.2, n)
    pue = rng.uniform(1.22, 1.55, n)
    pue_summer = rng.uniform(0.03, 0.12, n)
    clean = rng.uniform(0.1, 0.6, n)
    co2_factor = np.where(rng.random(n) < 0.05, np.nan, rng.uniform(0.5, 0.6, n))
    years_running = rng.uniform(0.2, 6.0, n) * 8760
    facility = it_kw * pue * years_running
    start = np.stack(
        [
            facility,
            it_kw * years_running,
            facility * clean,
            np.nan_to_num(facility * (1 - clean) * co2_factor),
        ]
    )
    return Profiles(it_kw, it_daily, pue, pue_summer, clean, co2_factor, start)


def month_hours(year: int, month: int) -> tuple[int, int]:
    """(hours since 1 January 00:00, hours in the month)."""
    first = datetime(year, month, 1)
    offset = int((first - datetime(year, 1, 1)).total_seconds() // 3600)
    return offset, calendar.monthrange(year, month)[1] * 24


def hourly_energy(p: Profiles, year: int, month: int, seed: int) -> np.ndarray:
    """(4, n, hours) energy of each hour: facility, IT, clean kWh and CO2 kg."""
    rng = np.random.default_rng([seed, year, month, 1])
    offset, hours = month_hours(year, month)
    n = len(p.it_kw)
    t = offset + np.arange(hours)
    hour = t % 24
    afternoon = np.cos(2 * np.pi * (hour - 15) / 24)
    midday = np.clip(np.cos(2 * np.pi * (hour - 12) / 24), 0, None)
    summer = np.cos(2 * np.pi * (t / 24 - 200) / 365)
    it = p.it_kw[:, None] * (1 + p.it_daily[:, None] * afternoon)
    it *= 1 + 0.03 * rng.standard_normal((n, hours), dtype=np.float32)
    pue = p.pue[:, None] + p.pue_summer[:, None] * summer + 0.04 * afternoon
    pue += 0.015 * rng.standard_normal((n, hours), dtype=np.float32)
    facility = it * np.clip(pue, 1.12, 1.95)
    share = p.clean[:, None] + 0.08 * midday
    share += 0.02 * rng.standard_normal((n, hours), dtype=np.float32)
    clean = facility * np.clip(share, 0.02, 0.9)
    co2 = (facility - clean) * np.nan_to_num(p.co2_factor)[:, None]
    return np.stack([facility, it, clean, co2])


def keep_mask(n: int, hours: int, rng: np.random.Generator, gap_rate: float) -> np.ndarray:
    """(n, hours): False where the platform lost the reading (single hours, outages); no
    gaps at all when `gap_rate` is 0."""
    keep = rng.random((n, hours)) >= gap_rate
    out = np.flatnonzero(rng.random(n) < (OUTAGE_RATE if gap_rate > 0 else 0))
    lengths = rng.integers(3, 49, len(out))
    starts = rng.integers(0, hours - 48, len(out))
    for centre, start, length in zip(out, starts, lengths, strict=True):
        keep[centre, start : start + length] = False
    return keep


def month_frame(
    registry: Registry,
    p: Profiles,
    registers: np.ndarray,
    year: int,
    month: int,
    seed: int,
    gap_rate: float = GAP_RATE,
    defects: Iterable[str] = (),
    defect_count: int = 3,
) -> tuple[pd.DataFrame, np.ndarray, list[Defect]]:
    """The month's rows (centre-major, hour order) as numbers, the registers at the month's
    end (the next month's start) and the defects injected."""
    energy = hourly_energy(p, year, month, seed)
    n, hours = energy.shape[1:]
    readings = registers[:, :, None] + np.cumsum(energy, axis=2)
    end = readings[:, :, -1].copy()
    rng = np.random.default_rng([seed, year, month, 2])
    keep = keep_mask(n, hours, rng, gap_rate).ravel()
    rows = np.flatnonzero(keep)
    offset, _ = month_hours(year, month)
    frame = pd.DataFrame(
        {
            "centre": (rows // hours).astype(np.int32),
            "hour": (rows % hours + offset).astype(np.int32),
        }
    )
    for k, name in enumerate(REGISTERS):
        frame[name] = np.round(readings[k].ravel()[rows], 3)
    accounted = ~np.isnan(p.co2_factor)
    frame["co2_kg"] = frame["co2_kg"].where(accounted[frame["centre"].to_numpy()])
    injected: list[Defect] = []
    if defects:
        frame, injected = inject(frame, registry, year, month, defects, defect_count, seed)
    return frame, end, injected


def inject(
    frame: pd.DataFrame,
    registry: Registry,
    year: int,
    month: int,
    kinds: Iterable[str],
    count: int,
    seed: int,
) -> tuple[pd.DataFrame, list[Defect]]:
    """`count` defects of each kind, at rows drawn from the month's middle centres."""
    rng = np.random.default_rng([seed, year, month, 3])
    start = datetime(year, 1, 1)
    injected = []
    for kind in kinds:
        if kind not in DEFECT_KINDS:
            raise ValueError(f"unknown defect {kind!r}: one of {', '.join(DEFECT_KINDS)}")
        picks = np.sort(rng.choice(len(frame), size=count, replace=False))
        for row in picks.tolist():
            centre = int(frame.at[row, "centre"])
            hour = int(frame.at[row, "hour"])
            where = Defect(kind, registry.ids[centre], start + timedelta(hours=hour))
            if kind == "duplicates":
                top, bottom = frame.iloc[: row + 1], frame.iloc[row:]
                frame = pd.concat([top, bottom], ignore_index=True)
            elif kind == "resets":
                later = (frame["centre"] == centre) & (frame.index >= row)
                for name in REGISTERS:
                    frame.loc[later, name] = np.round(
                        frame.loc[later, name] - frame.at[row, name] + 1.0, 3
                    )
            elif kind == "negative":
                frame.at[row, "it_kwh"] = -frame.at[row, "it_kwh"]
            else:  # outside: stamped in the next month
                _, hours = month_hours(year, month)
                next_month = month_hours(year, month)[0] + hours
                frame.at[row, "hour"] = next_month + int(rng.integers(0, 24))
                where = Defect(kind, where.centre_id, start + timedelta(hours=next_month))
            injected.append(where)
    return frame, injected


def write_month(
    connection: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    ids: list[str],
    year: int,
    path: Path,
    seed: int,
    file_format: str = "parquet",
) -> None:
    """Write one month file through DuckDB, in the frame's row order."""
    frame = frame.assign(centre=pd.Categorical.from_codes(frame["centre"], categories=ids))
    connection.register("month_rows", frame)
    source = provenance_source(seed).replace("'", "''")
    select = f"""
        select
            centre::varchar as centre_id,
            timestamp '{year}-01-01' + to_hours(hour) as reading_hour,
            facility_kwh, it_kwh, clean_kwh,
            if(isnan(co2_kg), null, co2_kg) as co2_kg,
            'synthetic' as provenance,
            '{source}' as provenance_source
        from month_rows
    """
    options = (
        f"format parquet, compression zstd, row_group_size {ROW_GROUP}"
        if file_format == "parquet"
        else "format csv, header true"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    connection.execute(f"copy ({select}) to '{path}' ({options})")
    connection.unregister("month_rows")


def month_path(out: Path, year: int, month: int, file_format: str = "parquet") -> Path:
    return out / "centre_energy" / str(year) / f"centre_energy_{year}-{month:02d}.{file_format}"


def write_year(
    registry: Registry,
    year: int,
    out: Path,
    seed: int = SEED,
    months: Iterable[int] = range(1, 13),
    gap_rate: float = GAP_RATE,
    defects: Iterable[str] = (),
    defect_count: int = 3,
    file_format: str = "parquet",
    progress=None,
) -> tuple[int, list[Defect]]:
    """Write the months asked for (the registers of earlier months are computed, not
    written, so a month's readings do not depend on which months are written). Returns
    (rows written, defects injected)."""
    wanted = set(months)
    p = profiles(registry, year, seed)
    registers = p.start
    rows, injected = 0, []
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")  # the frame's order
        for month in range(1, max(wanted) + 1):
            if month not in wanted:
                energy = hourly_energy(p, year, month, seed)
                registers = registers + np.cumsum(energy, axis=2)[:, :, -1]
                continue
            frame, registers, defects_here = month_frame(
                registry, p, registers, year, month, seed, gap_rate, defects, defect_count
            )
            path = month_path(out, year, month, file_format)
            write_month(connection, frame, registry.ids, year, path, seed, file_format)
            rows += len(frame)
            injected += defects_here
            if progress:
                progress(f"{path.name}: {len(frame):,} rows")
    return rows, injected

"""Metered energy of a few centres (source `centre_energy`): hourly cumulative meter registers,
one file per month, so that `make run` exercises the telemetry path end to end.

- 2025: three centres (Beijing, Guizhou, Inner Mongolia) metered all year, Parquet month
  files, a few hours missing (gaps);
- 2024: two of them, whose metering began in October, CSV month files (a quarter of the year:
  below the coverage at which the index takes metered figures over the registry's).

The hourly profile (an IT load with a daily cycle, a PUE higher in summer, a clean share that
varies with the day) is scaled so that a year's metered energy matches the registry's annual
figures of the centre: the two sources agree, as the agreement check expects.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from snapshot_generator.profiles import GENERATOR

COLUMNS = ["centre_id", "reading_hour", "facility_kwh", "it_kwh", "clean_kwh", "co2_kg"]
# (year, format, provinces whose first centre in production is metered, first month metered):
# a municipality's centre (no city) and two in prefecture-level cities of the western hubs
PLAN = (
    (2024, "csv", ("110000", "520000"), 10),
    (2025, "parquet", ("110000", "520000", "150000"), 1),
)
GAP_STRETCHES = 3  # per centre and year, 1–6 hours each


def _pick(registry: pd.DataFrame, provinces: tuple[str, ...]) -> pd.DataFrame:
    """The first centre in production of each province (its code is in the centre id)."""
    frame = registry[pd.to_numeric(registry["racks_in_use"]) > 0]
    frame = frame.assign(province_code=frame["centre_id"].str[3:9])
    return frame[frame["province_code"].isin(provinces)].drop_duplicates("province_code")


def centre_readings(
    centre: pd.Series, year: int, first_month: int, rng: np.random.Generator
) -> pd.DataFrame:
    """One centre's readings for the year (registers at the start of each hour)."""
    hours = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", inclusive="left")
    n = len(hours)
    hour_of_day = hours.hour.to_numpy()
    day_of_year = hours.dayofyear.to_numpy()
    it = 1 + 0.08 * np.sin(2 * np.pi * (hour_of_day - 8) / 24) + rng.normal(0, 0.01, n)
    pue = 1 + 0.1 * np.cos(2 * np.pi * (day_of_year - 200) / 365.25)
    clean = np.clip(1 + 0.3 * np.sin(2 * np.pi * day_of_year / 9) + rng.normal(0, 0.05, n), 0, None)
    total_mwh = float(centre["total_energy_mwh"])
    it_mwh = float(centre["it_energy_mwh"])
    it_kwh = it / it.sum() * it_mwh * 1000
    # the facility's overhead (cooling) follows the season; scaled to the annual total
    overhead = it_kwh * pue
    facility_kwh = it_kwh + overhead / overhead.sum() * (total_mwh - it_mwh) * 1000
    clean_kwh = (
        facility_kwh
        * clean
        / (facility_kwh * clean).sum()
        * float(centre["clean_energy_mwh"])
        * 1000
    )
    fossil = np.clip(facility_kwh - clean_kwh, 0, None)  # an hour all clean emits nothing
    co2_kg = fossil / fossil.sum() * float(centre["co2_tonnes"]) * 1000
    start = rng.uniform(1e6, 5e7, 4).round(0)
    registers = {
        name: np.round(offset + np.concatenate([[0.0], np.cumsum(hourly)[:-1]]), 1)
        for name, offset, hourly in zip(
            COLUMNS[2:], start, (facility_kwh, it_kwh, clean_kwh, co2_kg), strict=True
        )
    }
    frame = pd.DataFrame({"centre_id": centre["centre_id"], "reading_hour": hours, **registers})
    frame = frame[frame["reading_hour"].dt.month >= first_month]
    for _ in range(GAP_STRETCHES):  # the platform missed a few hours
        at = int(rng.integers(0, len(frame) - 6))
        frame = frame.drop(frame.index[at : at + int(rng.integers(1, 7))])
    return frame


def month_files(registry: dict[int, pd.DataFrame], rng: np.random.Generator) -> dict[str, bytes]:
    """`centre_energy/{year}/centre_energy_{year}-MM.{csv|parquet}` → the file's bytes."""
    files: dict[str, bytes] = {}
    for year, file_format, provinces, first_month in PLAN:
        readings = pd.concat(
            [
                centre_readings(centre, year, first_month, rng)
                for _, centre in _pick(registry[year], provinces).iterrows()
            ]
        )
        readings["provenance"] = "synthetic"
        readings["provenance_source"] = GENERATOR
        for month, frame in readings.groupby(readings["reading_hour"].dt.month):
            name = f"centre_energy/{year}/centre_energy_{year}-{month:02d}.{file_format}"
            files[name] = _encode(frame.reset_index(drop=True), file_format)
    return files


def _encode(frame: pd.DataFrame, file_format: str) -> bytes:
    if file_format == "csv":
        out = frame.assign(reading_hour=frame["reading_hour"].dt.strftime("%Y-%m-%d %H:%M:%S"))
        return out.to_csv(index=False, lineterminator="\n", float_format="%.1f").encode()
    # DuckDB writes the Parquet (one thread, one row group: the same bytes on every run)
    with tempfile.TemporaryDirectory() as directory, duckdb.connect() as connection:
        path = Path(directory) / "month.parquet"
        connection.execute("set threads = 1")
        connection.register("month", frame)
        connection.execute(
            f"copy (select * from month) to '{path}' (format parquet, compression zstd)"
        )
        return path.read_bytes()

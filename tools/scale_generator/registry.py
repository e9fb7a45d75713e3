"""A compute-centre registry of any size for the telemetry's centres: the bundled registry's
centres with positive energy, repeated, each with an id of its own (its province code kept),
so that every generated `centre_id` resolves to a province and city in the warehouse."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from suanli.settings import SNAPSHOT_DIR

REGISTRY_YEARS = (2022, 2023, 2024, 2025)


@dataclass(frozen=True)
class Registry:
    header: list[str]
    rows: list[list[str]]  # as delivered, text

    @property
    def ids(self) -> list[str]:
        return [row[0] for row in self.rows]

    def column(self, name: str) -> np.ndarray:
        index = self.header.index(name)
        return np.array([float(row[index] or 0) for row in self.rows])

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")


def centre_id(province_code: str, n: int) -> str:
    return f"DC-{province_code}-S{n:06d}"


def registry(centres: int, year: int) -> Registry:
    """`centres` rows: the bundled registry of `year` (or the nearest bundled year), centres
    with positive IT energy only, cycled; the k-th copy of a centre is named `… k号`."""
    bundled = min(REGISTRY_YEARS, key=lambda y: (abs(y - year), -y))
    path = SNAPSHOT_DIR / "compute_centres" / f"compute_centres_{bundled}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header, *body = list(csv.reader(handle))
    it = header.index("it_energy_mwh")
    body = [row for row in body if row[it] and float(row[it]) > 0]
    rows = []
    for n in range(centres):
        row = list(body[n % len(body)])
        copy = n // len(body)
        row[0] = centre_id(row[0].split("-")[1], n)
        if copy:
            row[1] = f"{row[1]}{copy + 1}号"
        rows.append(row)
    return Registry(header, rows)


def write_registry(out: Path, centres: int, year: int) -> Path:
    path = out / "compute_centres" / f"compute_centres_{year}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(registry(centres, year).csv_bytes())
    return path

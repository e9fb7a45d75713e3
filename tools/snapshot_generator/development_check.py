"""Self-check of System C's deliveries (METHODOLOGY.md §7, "System C facts"): its indicators
computed from the files as delivered (shipments, NBS tables, lists), each published fact and
the §7 statements that are not single-value comparisons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from snapshot_generator.development import DATA_YEARS, LAST_DATA_YEAR, STATISTICS, WINDOW
from snapshot_generator.facts import NATIONAL, Fact, holds
from snapshot_generator.readback import province_code, province_lookup, read_delivered
from snapshot_generator.statistics import read_statistics_table

INDICATORS = (
    "server_compute", "ai_server_compute", "general_server_shipments", "ai_server_shipments",
    "computing_device_output", "ic_output", "software_revenue", "computer_manufacturing_rd",
    "it_spending", "digital_economy_core", "inter_provincial_bandwidth_year_end",
    "data_openness_index", "application_cases",
)  # fmt: skip
# Delivered unit → the indicator's unit (万台 stays; 亿块 → 万块).
TO_INDICATOR_UNIT = {"万台": 1.0, "亿块": 1e4, "亿元": 1.0}


def indicators(out_dir: Path, reference_dir: Path, year: int) -> pd.DataFrame:
    """System C indicators of one data year, computed from the files as delivered, per
    province code plus the national row (sums)."""
    lookup = province_lookup(reference_dir)
    table = pd.DataFrame(index=list(lookup.province_codes))
    ships = pd.concat(
        read_delivered(out_dir / "server_shipments" / f"server_shipments_{y}.csv", reference_dir)
        for y in range(year - WINDOW + 1, year + 1)
    )
    num = ships[["units", "cpu_sockets", "fp32_ops_per_cycle", "clock_ghz", "cores_per_cpu",
                 "mean_compute_tflops"]].apply(pd.to_numeric, errors="coerce")  # fmt: skip
    general = num["cpu_sockets"] * num["fp32_ops_per_cycle"] * num["clock_ghz"]
    tflops = (general * num["cores_per_cpu"] / 1000).fillna(num["mean_compute_tflops"])
    ships["eflops"] = num["units"] * tflops / 1e6
    ships["units_wan"] = num["units"] / 1e4
    for kind, code in (("general", "server_compute"), ("ai", "ai_server_compute")):
        table[code] = ships[ships["server_type"] == kind].groupby("code")["eflops"].sum()
    this_year = ships[ships["year"] == str(year)]
    for kind, code in (("general", "general_server_shipments"), ("ai", "ai_server_shipments")):
        table[code] = this_year[this_year["server_type"] == kind].groupby("code")["units_wan"].sum()
    for code, spec in STATISTICS.items():
        values = read_statistics_table((out_dir / spec["file"]).read_bytes())[year]
        factor = TO_INDICATOR_UNIT[spec["unit"]]
        table[code] = pd.Series(
            {province_code(lookup, name): v * factor for name, v in values.items()}
        )
    net = read_delivered(out_dir / "network_stats" / f"network_stats_{year + 1}.csv", reference_dir)
    table["inter_provincial_bandwidth_year_end"] = (
        net.set_index("code")["inter_provincial_bandwidth_gbps"].astype(float) / 1000
    )
    openness = read_delivered(out_dir / "data_openness" / "data_openness.csv", reference_dir)
    openness = openness[openness["year"] == str(year)].set_index("code")
    table["data_openness_index"] = openness["openness_index"].astype(float)
    cases = read_delivered(out_dir / "application_cases" / "application_cases.csv", reference_dir)
    counted = cases[cases["year"] == str(year)].groupby("code").size()
    table["application_cases"] = counted.reindex(table.index, fill_value=0).astype(float)
    table = table.fillna(0.0)
    table.loc[NATIONAL] = table.sum()
    return table


def verify(out_dir: Path, reference_dir: Path, facts: list[Fact]) -> list[str]:
    """Failures of the System C facts (published_facts rows of its indicators, and the §7
    statements that are not single-value comparisons)."""
    failures = []
    tables = {year: indicators(out_dir, reference_dir, year) for year in DATA_YEARS}
    for fact in facts:
        if fact.indicator_code not in INDICATORS:
            continue
        table = tables[fact.year]
        value = float(table.at[fact.unit_code, fact.indicator_code])
        rank = None
        if fact.comparison.startswith("rank"):
            column = table.drop(index=NATIONAL)[fact.indicator_code]
            rank = int(column.rank(ascending=fact.comparison == "rank_asc", method="min")[
                fact.unit_code])  # fmt: skip
        if not holds(fact, value, rank):
            failures.append(f"{fact.fact_id}: computed {value!r} (rank {rank})")
    last = tables[LAST_DATA_YEAR]
    provinces = last.drop(index=NATIONAL)

    def share(code: str, indicator: str) -> float:
        return 100 * last.at[code, indicator] / last.at[NATIONAL, indicator]

    for code, indicator, expected in (
        ("440000", "computing_device_output", 56.0),
        ("320000", "ic_output", 31.0),
        ("440000", "computer_manufacturing_rd", 40.0),
    ):
        if abs(share(code, indicator) - expected) >= 0.5:
            failures.append(f"{code} holds {share(code, indicator):.1f} % of {indicator}")
    rd = provinces["computer_manufacturing_rd"]
    if abs(rd["440000"] / rd["110000"] - 3) >= 0.05:
        failures.append(f"广东 R&D is {rd['440000'] / rd['110000']:.2f}× 北京's, not 3×")
    above = {"110000", "440000", "320000", "370000", "310000"}
    if (provinces.drop(index=list(above))["software_revenue"] > 12000).any():
        failures.append("a province besides the five exceeds 12000 亿元 software revenue")
    for indicator, bound, listed in (
        ("inter_provincial_bandwidth_year_end", 90, {"440000", "330000", "320000", "410000",
                                                     "130000", "510000"}),
        ("data_openness_index", 50, {"370000", "330000", "310000", "520000", "110000", "350000"}),
        ("digital_economy_core", 8000, {"440000", "320000", "330000", "370000", "310000"}),
    ):  # fmt: skip
        if (provinces.drop(index=list(listed))[indicator] > bound).any():
            failures.append(f"a province besides {sorted(listed)} exceeds {bound} {indicator}")
    if (provinces["application_cases"] > 0).sum() != 24:
        failures.append("the 2024 application cases are not in 24 provinces")
    return failures

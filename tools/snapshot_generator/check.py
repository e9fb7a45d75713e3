"""Self-check of a written snapshot: every published fact and group statement must hold when
the indicators are computed from the files as delivered (text, mixed spellings and all)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from snapshot_generator import development_check
from snapshot_generator.facts import NATIONAL, Fact, holds
from snapshot_generator.profiles import YEARS
from snapshot_generator.readback import read_delivered


def indicators(out_dir: Path, reference_dir: Path, year: int) -> pd.DataFrame:
    """Fact-relevant indicators per province (rows = codes) plus a national row `100000`."""
    reg = read_delivered(out_dir / "compute_centres" / f"compute_centres_{year}.csv", reference_dir)
    num = reg.drop(columns=["centre_id", "centre_name", "province", "city", "code"]).apply(
        pd.to_numeric, errors="coerce"
    )
    num["code"] = reg["code"]
    sums = num.groupby("code").sum(numeric_only=True)
    sums.loc[NATIONAL] = num.sum(numeric_only=True)
    table = pd.DataFrame(index=sums.index)
    table["racks_in_use"] = sums["racks_in_use"] / 1e4
    table["racks_under_construction"] = sums["racks_under_construction"] / 1e4
    table["intelligent_compute"] = sums["intelligent_compute_pflops"] / 1000
    table["rack_utilisation"] = 100 * sums["racks_used"] / sums["racks_fitted_out"]
    table["pue"] = sums["total_energy_mwh"] / sums["it_energy_mwh"]
    table["storage_capacity"] = sums["storage_capacity_pb"] / 1000
    table["clean_energy_share"] = 100 * sums["clean_energy_mwh"] / sums["total_energy_mwh"]

    genai = read_delivered(out_dir / "genai_services" / "genai_services.csv", reference_dir)
    registered = genai[genai["registration_date"] <= f"{year}-03-31"].groupby("code").size()
    table["genai_services_registered"] = registered.reindex(table.index, fill_value=0)
    table.loc[NATIONAL, "genai_services_registered"] = int(registered.sum())

    net = read_delivered(out_dir / "network_stats" / f"network_stats_{year}.csv", reference_dir)
    points = net.set_index("code")["direct_connect_points"].astype(int)
    table["direct_connect_points"] = points.reindex(table.index)
    table.loc[NATIONAL, "direct_connect_points"] = int(points.sum())

    env = read_delivered(
        out_dir / "environment_market" / f"environment_market_{year}.csv", reference_dir
    )
    env = env.set_index("code")
    table["annual_mean_temperature"] = env["annual_mean_temperature_c"].astype(float)
    table["policy_documents"] = env["policy_documents"].astype(int)
    table.loc[NATIONAL, "policy_documents"] = int(env["policy_documents"].astype(int).sum())
    return table


def verify(out_dir: Path, reference_dir: Path, facts: list[Fact]) -> list[str]:
    """Failures (empty when the snapshot honours every fact and group statement)."""
    failures = development_check.verify(out_dir, reference_dir, facts)
    facts = [fact for fact in facts if fact.indicator_code not in development_check.INDICATORS]
    tables = {year: indicators(out_dir, reference_dir, year) for year in YEARS}
    for year, table in tables.items():
        provinces = table.drop(index=NATIONAL)
        if len(provinces) != 31 or (provinces["racks_in_use"] <= 0).any():
            failures.append(f"{year}: not every province has in-use centres")
    for fact in facts:
        table = tables[fact.year]
        value = float(table.at[fact.unit_code, fact.indicator_code])
        rank = None
        if fact.comparison.startswith("rank"):
            column = table.drop(index=NATIONAL)[fact.indicator_code]
            ascending = fact.comparison == "rank_asc"
            rank = int(column.rank(ascending=ascending, method="min")[fact.unit_code])
        if not holds(fact, value, rank):
            failures.append(f"{fact.fact_id}: computed {value!r} (rank {rank})")
    last = tables[YEARS[-1]]
    provinces = last.drop(index=NATIONAL)
    racks, ai = provinces["racks_in_use"], provinces["intelligent_compute"]
    if racks.nlargest(6).sum() <= 0.5 * last.at[NATIONAL, "racks_in_use"]:
        failures.append("top six provinces do not hold > 50 % of racks in use")
    if ai.nlargest(5).sum() <= 0.48 * last.at[NATIONAL, "intelligent_compute"]:
        failures.append("top five provinces do not hold > 48 % of intelligent compute")
    hebei_share = 100 * ai["130000"] / last.at[NATIONAL, "intelligent_compute"]
    if abs(hebei_share - 14.8) >= 0.05:
        failures.append(f"河北 holds {hebei_share:.2f} % of intelligent compute, not ≈ 14.8 %")
    national_util = last.at[NATIONAL, "rack_utilisation"]
    for code in ("130000", "440000", "520000", "310000"):
        if provinces.at[code, "rack_utilisation"] >= national_util:
            failures.append(f"{code}: utilisation not below the national {national_util:.1f} %")
    bounds = [f for f in facts if f.indicator_code == "policy_documents" and f.comparison == "gt"]
    for year in sorted({f.year for f in bounds}):
        above = {f.unit_code for f in bounds if f.year == year}
        threshold = min(f.value for f in bounds if f.year == year)
        policies = tables[year].drop(index=[NATIONAL, *above])["policy_documents"]
        if (policies > threshold).any():
            failures.append(
                f"{year}: provinces besides {sorted(above)} exceed {threshold} policies"
            )
    return failures

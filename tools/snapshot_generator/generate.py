"""Generate the demonstration snapshot: `python -m snapshot_generator.generate [--out DIR]`.

Deterministic (fixed seeds, fixed formatting): the output is byte-for-byte identical on every
run. After writing, the snapshot is read back as the warehouse would read it and every
published fact is checked; a violation is an error, never a warning.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from snapshot_generator import centres, development, others, services, statistics, telemetry
from snapshot_generator.check import verify
from snapshot_generator.cities import load_hosting_cities, load_old_names, spell_cities
from snapshot_generator.facts import Fact, load_facts
from snapshot_generator.profiles import GENERATOR, SEED, YEARS
from snapshot_generator.reference import Province, load_provinces
from suanli.settings import SEEDS_DIR, SNAPSHOT_DIR

REFERENCE_DIR = SEEDS_DIR / "reference"
DEFAULT_OUT = SNAPSHOT_DIR
# Share of registry rows per spelling of the province (full name, short, English, other).
SPELLINGS = (0.75, 0.15, 0.05, 0.05)
# Spellings that real registries drift into and the warehouse must handle.
REQUIRED_SPELLINGS = {"450000": "广西省", "150000": "Nei Mongol"}


def rng_for(stream: int) -> np.random.Generator:
    """One independent stream per part, so changing one part leaves the others unchanged."""
    return np.random.default_rng([SEED, stream])


def _one_decimal(units: np.ndarray) -> list[str]:
    return [f"{u // 10}.{u % 10}" for u in units.tolist()]


def _three_decimals(units: np.ndarray) -> list[str]:
    return [f"{u // 1000}.{u % 1000:03d}" for u in units.tolist()]


def _yes_no(flags: np.ndarray) -> list[str]:
    return ["Y" if f else "N" for f in flags.tolist()]


def _spell(
    provinces: dict[str, Province], codes: np.ndarray, rng: np.random.Generator
) -> list[str]:
    names = []
    for code, draw in zip(codes.tolist(), rng.random(len(codes)).tolist(), strict=True):
        p = provinces[code]
        if draw < SPELLINGS[0]:
            names.append(p.name_zh)
        elif draw < sum(SPELLINGS[:2]):
            names.append(p.short)
        elif draw < sum(SPELLINGS[:3]):
            names.append(p.name_en)
        elif p.other_spellings:
            names.append(p.other_spellings[int(rng.integers(len(p.other_spellings)))])
        else:
            names.append(p.name_zh)
    return names


def registry_frames(provinces: list[Province], facts: list[Fact]) -> dict[int, pd.DataFrame]:
    targets = centres.build_targets(provinces, facts, rng_for(1))
    hosting = load_hosting_cities(REFERENCE_DIR)
    population = centres.build_population(provinces, rng_for(2), hosting, rng_for(12))
    rng_years, rng_spelling, rng_city_spelling = rng_for(3), rng_for(4), rng_for(13)
    old_names = load_old_names(REFERENCE_DIR)
    by_code = {p.code: p for p in provinces}
    frames = {}
    for year in YEARS:
        rec = centres.build_year(population, provinces, targets, year, rng_years)
        frames[year] = pd.DataFrame(
            {
                "centre_id": rec["centre_id"],
                "centre_name": rec["centre_name"],
                "province": _spell(by_code, rec["province_code"].to_numpy(), rng_spelling),
                "city": spell_cities(rec["city"], old_names, rng_city_spelling),
                "racks_in_use": rec["in_use"],
                "racks_under_construction": rec["uc"],
                "racks_fitted_out": rec["fitted"],
                "racks_used": rec["used"],
                "intelligent_compute_pflops": _one_decimal(rec["ai_u"].to_numpy()),
                "general_compute_pflops": _one_decimal(rec["gen_u"].to_numpy()),
                "storage_capacity_pb": _three_decimals(rec["sto_u"].to_numpy()),
                "external_storage_pb": _three_decimals(rec["ext_u"].to_numpy()),
                "all_flash_pb": _three_decimals(rec["flash_u"].to_numpy()),
                "storage_iops": rec["iops"],
                "total_energy_mwh": _one_decimal(rec["total_u"].to_numpy()),
                "it_energy_mwh": _one_decimal(rec["it_u"].to_numpy()),
                "co2_tonnes": _one_decimal(rec["co2_u"].to_numpy()),
                "clean_energy_mwh": _one_decimal(rec["clean_u"].to_numpy()),
                "electricity_price_yuan_per_kwh": [f"{x:.3f}" for x in rec["price"]],
                "revenue_wan_yuan": _one_decimal(rec["revenue_u"].to_numpy()),
                "egress_bandwidth_gbps": _one_decimal(rec["egress_u"].to_numpy()),
                "backbone_connected": _yes_no(rec["backbone"].to_numpy()),
                "metro_connected": _yes_no(rec["metro"].to_numpy()),
                "high_performance_network": _yes_no(rec["hpn"].to_numpy()),
                "provenance": "synthetic",
                "provenance_source": GENERATOR,
            }
        )
    _ensure_spellings(frames, provinces)
    return frames


def _ensure_spellings(frames: dict[int, pd.DataFrame], provinces: list[Province]) -> None:
    """Real registries drift into spellings such as 广西省; make sure the demo shows them."""
    last = frames[YEARS[-1]]
    by_code = {p.code: p for p in provinces}
    for code, spelling in REQUIRED_SPELLINGS.items():
        if any(spelling in set(frame["province"]) for frame in frames.values()):
            continue
        rows = last.index[last["centre_id"].str.startswith(f"DC-{code}-")]
        full = last.loc[rows, "province"] == by_code[code].name_zh
        last.loc[rows[full.to_numpy()][:1], "province"] = spelling


def generate(out_dir: Path, reference_dir: Path = REFERENCE_DIR) -> list[Path]:
    """Write every delivery under `out_dir`; returns the files written."""
    provinces = load_provinces(reference_dir)
    facts = load_facts(reference_dir / "published_facts.csv")
    files: dict[str, pd.DataFrame] = {}
    registry = registry_frames(provinces, facts)
    for year, frame in registry.items():
        files[f"compute_centres/compute_centres_{year}.csv"] = frame

    def synthetic(rows: list, columns: list[str]) -> pd.DataFrame:
        return others.frame(rows, columns, "synthetic", GENERATOR)

    for year, rows in development.server_shipments(provinces, rng_for(5)).items():
        files[f"server_shipments/server_shipments_{year}.csv"] = synthetic(
            rows, development.SHIPMENT_COLUMNS
        )
    network_columns = [
        "province",
        "year",
        "city_network_1ms_cases",
        "broadband_ports",
        "otn_coverage_pct",
        "private_line_users",
        "fixed_download_mbps",
        "mobile_download_mbps",
        "direct_connect_points",
        "inter_provincial_bandwidth_gbps",
        "oxc_deployment_pct",
        "inter_centre_latency_ms",
        "inter_centre_loss_pct",
    ]
    for year, rows in others.network_stats(provinces, facts, rng_for(6)).items():
        files[f"network_stats/network_stats_{year}.csv"] = synthetic(rows, network_columns)
    environment_columns = [
        "province",
        "year",
        "annual_mean_temperature_c",
        "policy_documents",
        "leading_firms_present",
        "leading_firms_total",
        "llm_enterprises",
        "graduates_wan",
        "industry_events",
        "honours",
    ]
    for year, rows in others.environment_market(provinces, facts, rng_for(7)).items():
        files[f"environment_market/environment_market_{year}.csv"] = synthetic(
            rows, environment_columns
        )
    files["patents/patents.csv"] = synthetic(
        others.patents(provinces, rng_for(8))
        + others.patents(
            provinces,
            rng_for(34),
            others.EARLIER_PATENTS_PER_YEAR,
            others.EARLIER_LLM_SHARE,
            serial_range=(2_000_000, 4_000_000),
        )
        + services.utility_model_patents(provinces, rng_for(30)),
        ["patent_id", "applicant_province", "filing_date", "grant_date", "llm_related"],
    )
    names = others.Names(rng_for(9))
    files["genai_services/genai_services.csv"] = synthetic(
        others.genai_services(provinces, facts, names, rng_for(10)),
        ["service_id", "service_name", "provider", "province", "registration_date"],
    )
    files["fangsheng_models/fangsheng_models.csv"] = synthetic(
        others.fangsheng_models(provinces, names, rng_for(11)),
        ["model_id", "model_name", "developer", "province", "listed_date"],
    )
    files["supercomputers/supercomputers.csv"] = synthetic(
        development.supercomputers(provinces, rng_for(14)),
        ["system_id", "system_name", "site", "province", "rmax_pflops", "year_listed"],
    )
    files["data_openness/data_openness.csv"] = synthetic(
        development.data_openness(provinces, rng_for(15)), ["province", "year", "openness_index"]
    )
    files["application_cases/application_cases.csv"] = synthetic(
        development.application_cases(provinces, rng_for(16)),
        ["case_id", "case_name", "organisation", "province", "year"],
    )
    files["compute_services/compute_services.csv"] = synthetic(
        services.compute_services(provinces, rng_for(31)), services.COMPUTE_COLUMNS
    )
    files["service_platforms/service_platforms.csv"] = synthetic(
        services.service_platforms(provinces, rng_for(32)), services.PLATFORM_COLUMNS
    )

    contents = {
        relative: frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        for relative, frame in files.items()
    }
    contents[statistics.GDP_FILE], gdp = statistics.gdp_export(provinces, rng_for(12))
    contents.update(services.statistics_exports(provinces, gdp, rng_for(33)))
    contents.update(telemetry.month_files(registry, rng_for(40)))
    for stream, code in enumerate(development.STATISTICS, start=20):
        content, _ = development.statistics_export(provinces, code, rng_for(stream))
        contents[development.STATISTICS[code]["file"]] = content
    written = []
    for relative, content in contents.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    failures = verify(out_dir, reference_dir, facts)
    if failures:
        raise AssertionError("snapshot violates published facts:\n" + "\n".join(failures))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    written = generate(args.out)
    size = sum(p.stat().st_size for p in written)
    elapsed = time.perf_counter() - started
    print(f"wrote {len(written)} files ({size / 1e6:.2f} MB) to {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

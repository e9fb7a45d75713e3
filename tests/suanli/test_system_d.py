"""System D (算力服务发展指数, service_v1) end to end, on the session's run of the bundled
snapshot: 31 provinces on all 38 nodes of 2022, each derived indicator recomputed by hand from
the files as delivered (compute-service statistics, the platform survey, NBS-layout tables,
the patent list), scores per year within 0-100."""

from __future__ import annotations

import pandas as pd
import pytest

from snapshot_generator.statistics import read_statistics_table
from suanli.settings import REPO_ROOT

SYSTEM = "service_v1"
SNAPSHOT = REPO_ROOT / "seeds" / "snapshot"
GUANGDONG = ("440000", "广东省")
XIZANG = ("540000", "西藏自治区")


def _indicator(warehouse, code: str, unit_code: str) -> float:
    return warehouse.execute(
        "select raw_value from marts.fct_indicator_values where system_code = ? and year = 2022"
        " and unit_code = ? and indicator_code = ?",
        [SYSTEM, unit_code, code],
    ).fetchone()[0]


def _csv(relative: str) -> pd.DataFrame:
    return pd.read_csv(SNAPSHOT / relative, dtype=str, keep_default_na=False)


def _statistic(name: str) -> dict[int, dict[str, float]]:
    return read_statistics_table((SNAPSHOT / "provincial_statistics" / name).read_bytes())


def test_system_d_scores_31_provinces_on_4_11_22_nodes_in_2022(warehouse) -> None:
    levels = dict(
        warehouse.execute(
            "select node_level, count(*) from staging.stg_index_nodes where system_code = ?"
            " group by 1",
            [SYSTEM],
        ).fetchall()
    )
    assert levels == {"composite": 1, "primary": 4, "secondary": 11, "tertiary": 22}
    rows = warehouse.execute(
        "select year, count(distinct node_code), count(distinct unit_code), count(*),"
        " count(score), min(score), max(score) from marts.fct_index_scores"
        " where system_code = ? group by year",
        [SYSTEM],
    ).fetchall()
    assert len(rows) == 1 and rows[0][:5] == (2022, 38, 31, 38 * 31, 38 * 31)
    assert rows[0][5] >= 0 and rows[0][6] <= 100
    # every indicator takes 0 and 100 somewhere: per-year min-max over the 31 provinces
    extremes = warehouse.execute(
        "select count(*), count_if(lo = 0 and hi = 100) from (select indicator_code,"
        " min(score) as lo, max(score) as hi from marts.fct_indicator_values"
        " where system_code = ? group by 1)",
        [SYSTEM],
    ).fetchone()
    assert extremes == (22, 22)
    system = warehouse.execute(
        "select standardisation, first_year, last_year, is_approximation"
        " from marts.dim_index_system where system_code = ?",
        [SYSTEM],
    ).fetchone()
    assert system == ("minmax_per_year", 2022, 2022, False)


def test_service_ready_compute_and_utilisation_from_the_delivered_statistics(warehouse) -> None:
    rows = _csv("compute_services/compute_services.csv")
    code, name = GUANGDONG
    for delivered, prefix in (
        ("通用算力", "general"),
        ("智能算力", "intelligent"),
        ("超算算力", "supercomputing"),
    ):
        row = rows[
            (rows["province"] == name)
            & (rows["year"] == "2022")
            & (rows["compute_type"] == delivered)
        ].iloc[0]
        ready = (
            (float(row["datacentre_compute_eflops"]) + float(row["private_compute_eflops"]))
            * float(row["service_ratio_pct"])
            / 100
        )
        assert _indicator(warehouse, f"{prefix}_service_compute", code) == pytest.approx(ready)
        assert _indicator(warehouse, f"{prefix}_service_utilisation", code) == pytest.approx(
            100 * float(row["used_compute_eflops"]) / ready
        )


def test_platform_indicators_from_the_survey_rows(warehouse) -> None:
    survey = _csv("service_platforms/service_platforms.csv")
    for code, name in (GUANGDONG, XIZANG):
        mine = survey[(survey["province"] == name) & (survey["year"] == "2022")]
        objects = mine["service_objects"].astype(int)
        sections = {s for cell in mine["industries_served"] for s in cell.split(";")}
        expected = {
            "service_platforms": len(mine),
            "new_service_applications": mine["new_applications"].astype(int).sum(),
            "service_objects": objects.sum(),
            "traditional_enterprises_served": mine["traditional_enterprises"].astype(int).sum(),
            "emerging_enterprises_served": mine["emerging_enterprises"].astype(int).sum(),
            "industries_served": len(sections),
            "service_access_latency": (mine["access_latency_ms"].astype(float) * objects).sum()
            / objects.sum(),
            "user_satisfaction": (mine["satisfaction_score"].astype(float) * objects).sum()
            / objects.sum(),
        }
        for indicator, value in expected.items():
            assert _indicator(warehouse, indicator, code) == pytest.approx(value), (name, indicator)
    # latency is the one negative indicator: the fastest province scores 100
    fastest = warehouse.execute(
        "select unit_code, score from marts.fct_indicator_values where system_code = ?"
        " and indicator_code = 'service_access_latency' order by raw_value limit 1",
        [SYSTEM],
    ).fetchone()
    assert fastest[1] == pytest.approx(100)


def test_ratios_over_gdp_5g_share_and_revenue_growth_from_the_nbs_tables(warehouse) -> None:
    code, name = GUANGDONG
    gdp = _statistic("gdp_synthetic.csv")[2022][name]
    digital = _statistic("digital_economy_primary_secondary_synthetic.csv")[2022][name]
    spending = _statistic("compute_service_spending_synthetic.csv")[2022][name]
    revenue = _statistic("compute_service_revenue_synthetic.csv")
    mobile = _statistic("mobile_users_synthetic.csv")[2022][name]
    users_5g = _statistic("mobile_5g_users_synthetic.csv")[2022][name]
    assert _indicator(warehouse, "industry_penetration", code) == pytest.approx(100 * digital / gdp)
    assert _indicator(warehouse, "compute_service_investment", code) == pytest.approx(
        100 * spending / gdp
    )
    assert _indicator(warehouse, "deployment_efficiency", code) == pytest.approx(
        100 * users_5g / mobile
    )
    assert _indicator(warehouse, "compute_service_revenue", code) == pytest.approx(
        revenue[2022][name]
    )
    assert _indicator(warehouse, "service_revenue_growth", code) == pytest.approx(
        100 * (revenue[2022][name] / revenue[2021][name] - 1)
    )


def test_utility_models_are_counted_apart_from_invention_patents(warehouse) -> None:
    patents = _csv("patents/patents.csv")
    code, name = GUANGDONG
    granted_2022 = patents[
        (patents["applicant_province"] == name) & patents["grant_date"].str.startswith("2022")
    ]
    kind = granted_2022["patent_id"].str[6]
    assert _indicator(warehouse, "utility_model_grants", code) == (kind == "2").sum() > 0
    assert _indicator(warehouse, "computing_patent_grants", code) == (kind == "1").sum() > 0
    # System C reads the same invention count; utility models never enter it
    c_value = warehouse.execute(
        "select raw_value from marts.fct_indicator_values where system_code = 'development_v3'"
        " and year = 2022 and unit_code = ? and indicator_code = 'computing_patent_grants'",
        [code],
    ).fetchone()[0]
    assert c_value == (kind == "1").sum()


def test_every_system_d_value_is_labelled_synthetic_or_derived(warehouse) -> None:
    provenance = dict(
        warehouse.execute(
            "select provenance, count(*) from marts.fct_indicator_values where system_code = ?"
            " group by 1",
            [SYSTEM],
        ).fetchall()
    )
    # §7 publishes no System D figure: the demonstration values are all synthetic
    assert provenance == {"synthetic": 22 * 31}

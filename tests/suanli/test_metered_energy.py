"""Metered energy from the centres' meters (source `centre_energy`) through whole runs: the
figures reach the marts with their provenance, coverage and lineage, the index takes them
where the meters read enough of the year, and a bad month file is quarantined by name while
the month in force stays.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration
METERED_2025 = ("DC-110000-0001", "DC-150000-0001", "DC-520000-0001")
MARCH = Path("centre_energy") / "2025" / "centre_energy_2025-03.parquet"


def test_metered_figures_reach_the_mart_with_provenance_coverage_and_lineage(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    centres = warehouse.execute(
        "select year, unit_code, metering_coverage, pue, registry_pue, is_used_in_index, "
        "provenance, source from marts.fct_centre_energy where unit_level = 'centre' "
        "order by year, unit_code"
    ).fetchall()
    assert [(year, code) for year, code, *_ in centres] == [
        (2024, "DC-110000-0001"), (2024, "DC-520000-0001"),
        *((2025, code) for code in METERED_2025),
    ]  # fmt: skip
    for year, code, coverage, pue, registry_pue, used, provenance, source in centres:
        # 2024: metered from October (a quarter of the year), too little to replace the
        # registry; 2025: the whole year but a few hours the platform missed
        assert (0.24 < coverage < 0.26) if year == 2024 else (0.99 < coverage < 1), code
        assert used is (year == 2025)
        assert 1.0 < pue < 2.0 and abs(pue - registry_pue) / registry_pue < 0.05, code
        assert provenance == "synthetic"  # the demonstration's readings are synthetic
        assert source == f"centre_energy: {3 if year == 2024 else 12} month files"

    # each figure traces to the rows it is computed from: the first and last reading of each
    # month file in force, which are rows of the raw table
    traced = warehouse.execute(
        "with rows as (select unnest(from_json(lineage, "
        '\'[{"delivery_id": "VARCHAR", "delivery_row": "BIGINT"}]\'), recursive := true) '
        "from marts.fct_centre_energy "
        "where unit_level = 'centre' and year = 2025 and unit_code = 'DC-520000-0001') "
        "select count(*), count(raw._row_number), count(distinct rows.delivery_id) from rows "
        "left join raw.centre_energy as raw on raw._delivery_id = rows.delivery_id "
        "and raw._row_number = rows.delivery_row and raw.centre_id = 'DC-520000-0001'"
    ).fetchone()
    assert traced == (24, 24, 12)

    # a province's PUE is energy-weighted over its metered centres, and its coverage counts
    # its registry centres without meters as hours missing
    guizhou = warehouse.execute(
        "select metered_centres, pue, metering_coverage from marts.fct_centre_energy "
        "where unit_level = 'province' and unit_code = '520000' and year = 2025"
    ).fetchone()
    assert guizhou[0] == 1 and guizhou[2] < 0.2
    assert guizhou[1] == pytest.approx(centres[-1][3], rel=1e-9)


def test_the_index_takes_metered_energy_where_the_meters_cover_the_year(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    values = warehouse.execute(
        "select year, unit_code, raw_value, provenance, source from marts.fct_indicator_values "
        "where indicator_code = 'pue' and unit_level = 'province' "
        "and unit_code in ('110000', '520000') and year in (2024, 2025) "
        "and system_code = 'comprehensive_v4' order by year, unit_code"
    ).fetchall()
    assert [source.endswith("centre_energy: 1 centres metered") for *_, source in values] == [
        False, False, True, True,
    ]  # fmt: skip
    # Guizhou's PUE of 2025 is the registry's centres with the metered one's energies swapped in
    expected = warehouse.execute(
        "select sum(coalesce(m.facility_mwh, r.total_energy_mwh)) "
        "/ sum(coalesce(m.it_mwh, r.it_energy_mwh)) from staging.stg_compute_centres r "
        "left join intermediate.int_centre_energy_years m "
        "on r.year = m.year and r.centre_id = m.centre_id and m.is_used_in_index "
        "where r.year = 2025 and r.province_code = '520000'"
    ).fetchone()[0]
    assert values[3][2] == pytest.approx(expected, rel=1e-9)


@dataclass
class Story:
    environment: dict[str, str]
    result: subprocess.CompletedProcess[str]
    march_before: str


def _bad_march(good: Path, bad: Path) -> None:
    """March 2025 with a duplicated hour (row 10 again, last), a meter reset (row 101) and a
    negative reading (row 201)."""
    with duckdb.connect() as connection:
        connection.execute(f"create table m as select * from '{good}'")
        connection.execute("update m set it_kwh = 12.5 where rowid = 100")
        connection.execute("update m set clean_kwh = -3 where rowid = 200")
        connection.execute("insert into m select * from m where rowid = 9")
        connection.execute(f"copy (select * from m order by rowid) to '{bad}' (format parquet)")


def _disagreeing_registry(registry: Path, centre: str) -> None:
    """The registry says the centre's PUE is 20 % higher than its meters show."""
    rows = list(csv.DictReader(io.StringIO(registry.read_text(encoding="utf-8"))))
    for row in rows:
        if row["centre_id"] == centre:
            row["total_energy_mwh"] = f"{float(row['total_energy_mwh']) * 1.2:.1f}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    registry.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory, copy_of_first_run) -> Story:
    root = tmp_path_factory.mktemp("metered")
    environment = copy_of_first_run(root)
    landing = root / "landing"
    shutil.copytree(REPO_ROOT / "seeds" / "snapshot", landing)
    _bad_march(REPO_ROOT / "seeds" / "snapshot" / MARCH, landing / MARCH)
    _disagreeing_registry(landing / "compute_centres" / "compute_centres_2025.csv", METERED_2025[2])
    with duckdb.connect(environment["SUANLI_WAREHOUSE"], read_only=True) as work:
        (march_before,) = work.execute(
            "select delivery_id from raw.deliveries where source = 'centre_energy' "
            "and partition_key = '2025-03' and is_current"
        ).fetchone()
    result = subprocess.run(
        [sys.executable, "-m", "suanli.cli", "materialize", "--years", "2025"],
        env={**environment, "SUANLI_LANDING": str(landing)}, cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    return Story(environment, result, march_before)


def test_a_bad_month_is_quarantined_naming_its_rows_and_march_in_force_stays(
    story: Story, latest_check_evaluation
) -> None:
    output = story.result.stdout + story.result.stderr
    with duckdb.connect(story.environment["SUANLI_WAREHOUSE"], read_only=True) as work:
        problems = work.execute(
            "select reason from raw.quarantine where source = 'centre_energy' "
            "and file_name = 'centre_energy_2025-03.parquet'"
        ).fetchone()
        (march_now,) = work.execute(
            "select delivery_id from raw.deliveries where source = 'centre_energy' "
            "and partition_key = '2025-03' and is_current"
        ).fetchone()
        months = work.execute(
            "select count(*) from intermediate.int_centre_energy_months "
            "where year = 2025 and centre_id = 'DC-110000-0001'"
        ).fetchone()
    assert problems is not None, output[-3000:]
    reason = problems[0]
    assert 'row 101, column "it_kwh": value "12.5"' in reason and "(meter reset)" in reason
    assert 'row 201, column "clean_kwh": value "-3.0"' in reason and "(out of range)" in reason
    assert (
        'row 2233, column "centre_id, reading_hour"' in reason and "row 10 has the same" in reason
    )
    assert march_now == story.march_before  # the month in force stays current
    assert months == (12,)  # and the year still has all its months
    evaluation = latest_check_evaluation(
        ["raw", "centre_energy"], "delivery_accepted", story.environment
    )
    assert not evaluation.passed and "centre_energy_2025-03.parquet quarantined" in (
        evaluation.description or ""
    )


def test_a_registry_that_disagrees_with_the_meters_is_named_in_a_warning(story: Story) -> None:
    output = story.result.stdout + story.result.stderr
    assert "assert_metered_energy_agrees_with_registry" in output, output[-3000:]
    with duckdb.connect(story.environment["SUANLI_WAREHOUSE"], read_only=True) as work:
        centres = work.execute(
            "select unit_code, round(pue_difference, 2) from marts.fct_centre_energy "
            "where year = 2025 and unit_level = 'centre' and abs(pue_difference) > 0.05"
        ).fetchall()
    # the registry's total energy 20 % higher: its PUE 20 % higher than the meters'
    assert centres == [(METERED_2025[2], -0.17)]

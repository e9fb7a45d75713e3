"""Real and broken deliveries through whole runs, on a copy of the session's warehouse.

Real NBS files (the GBK export, as CSV and as XLSX, and the broadband and software panels)
land beside the bundled snapshot, and a bad registry with a good correction, all in one run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest

from suanli.intake.parsers.cells import parse_number
from suanli.publish.marts import last_publication

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration

EXPORT = "export_gdp_gbk.csv"
BROADBAND_PANEL = "分省互联网主要指标_多年期_面板数据.csv"
SOFTWARE_PANEL = "分省软件和信息技术服务业主要经济指标_多年期_面板数据.csv"


RACKS_2025 = (
    "select system_code || '/' || unit_code, raw_value from marts.fct_indicator_values "
    "where year = 2025 and indicator_code = 'racks_in_use' and unit_level = 'province' "
    "order by 1"
)


def materialize(environment: dict[str, str], landing: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "suanli.cli", "materialize", "--years", "2025"],
        env={**environment, "SUANLI_LANDING": str(landing)}, cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def published(environment: dict[str, str]) -> duckdb.DuckDBPyConnection:
    work = Path(environment["SUANLI_WAREHOUSE"])
    return duckdb.connect(str(work.with_name(f"{work.stem}_marts{work.suffix}")), read_only=True)


def as_xlsx(csv_content: bytes, encoding: str) -> bytes:
    """The same cells in a workbook, numbers as numbers, as the NBS site's Excel export has it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in csv.reader(io.StringIO(csv_content.decode(encoding), newline="")):
        sheet.append([number if (number := parse_number(c)) is not None else c for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def panel_values(path: Path, column: str, year: str) -> dict[str, float]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["省份"]: float(row[column])
            for row in csv.DictReader(handle)
            if row["年份"] == year and row[column]
        }


@dataclass
class Run:
    environment: dict[str, str]
    landing: Path
    result: subprocess.CompletedProcess[str]
    racks_before: list[tuple]


@pytest.fixture(scope="module")
def one_run(tmp_path_factory: pytest.TempPathFactory, copy_of_first_run, shared_data: Path) -> Run:
    """One `--years 2025` run on a copy of the session's warehouse whose landing holds both
    stories beside the snapshot: the real NBS files, and a bad 2025 registry delivered with a
    good correction of the 2025 network statistics."""
    root = tmp_path_factory.mktemp("deliveries")
    environment = copy_of_first_run(root)
    nbs = shared_data / "real" / "nbs"
    landing = root / "landing"
    shutil.copytree(REPO_ROOT / "seeds" / "snapshot", landing)
    tables = landing / "provincial_statistics"
    for name in (EXPORT, BROADBAND_PANEL, SOFTWARE_PANEL):
        shutil.copy(nbs / name, tables / name)
    (tables / "export_gdp.xlsx").write_bytes(as_xlsx((nbs / EXPORT).read_bytes(), "gb18030"))

    registry = landing / "compute_centres" / "compute_centres_2025.csv"
    rows = list(csv.reader(io.StringIO(registry.read_text(encoding="utf-8"))))
    header = rows[0]
    rows[1][header.index("province")] = "北平市"  # no such province
    rows[2][header.index("racks_in_use")] = "-12"  # a negative count
    rows[4][header.index("racks_fitted_out")] = "12,3a"  # not a number
    bad = io.StringIO()
    csv.writer(bad, lineterminator="\n").writerows(rows)
    registry.write_text(bad.getvalue(), encoding="utf-8")
    network = landing / "network_stats" / "network_stats_2025.csv"
    corrected = network.read_text(encoding="utf-8").replace(
        "北京,2025,12,21783268,83.8,370971,", "北京,2025,12,21783268,83.8,370999,"
    )
    assert corrected != network.read_text(encoding="utf-8")
    network.write_text(corrected, encoding="utf-8")
    with published(environment) as marts:
        racks_before = marts.execute(RACKS_2025).fetchall()
    return Run(environment, landing, materialize(environment, landing), racks_before)


def test_real_nbs_files_load_through_the_statistics_source_and_feed_the_index(
    one_run: Run, shared_data: Path
) -> None:
    nbs = shared_data / "real" / "nbs"
    copied_warehouse, result = one_run.environment, one_run.result
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    ports = panel_values(nbs / BROADBAND_PANEL, "互联网宽带接入端口 (万个)", "2024")
    software = panel_values(nbs / SOFTWARE_PANEL, "软件业务收入 (万元)", "2024")
    with published(copied_warehouse) as marts:
        indicator = marts.execute(
            "select p.name_zh, v.raw_value, v.provenance, v.source "
            "from marts.fct_indicator_values v join marts.dim_province p "
            "on v.unit_code = p.province_code "
            "where v.year = 2025 and v.indicator_code = 'broadband_ports' "
            "and v.unit_level = 'province' and v.system_code = 'comprehensive_v4'"
        ).fetchall()
        statistics = marts.execute(
            "select s.statistic_code, p.name_zh, s.year, s.value, s.unit, s.provenance, "
            "s.provenance_source, s.delivery_file, s.unit_as_delivered "
            "from marts.fct_province_statistics s join marts.dim_province p using (province_code)"
        ).fetchall()
        scores = marts.execute(
            "select count(*) from marts.fct_index_scores "
            "where year = 2025 and system_code = 'comprehensive_v4' and node_code = 'composite'"
        ).fetchone()

    # Index year 2025 reads 2024's ports (万个, as the panel publishes them), labelled with it.
    assert len(indicator) == 31
    for name, value, provenance, source in indicator:
        assert value == pytest.approx(ports[name]), name
        assert provenance == "published"
        assert source.startswith(f"provincial_statistics: {BROADBAND_PANEL}")
    assert scores == (31,)

    by_key = {(code, name, year): rest for code, name, year, *rest in statistics}
    # 万元 → 亿元, the factor kept; 西藏 reported no software revenue, so it has no row.
    value, unit, provenance, _, file, delivered_unit = by_key[("software_revenue", "北京市", 2024)]
    assert (value, unit, provenance, file, delivered_unit) == (
        pytest.approx(software["北京市"] / 10000),
        "亿元",
        "published",
        SOFTWARE_PANEL,
        "万元",
    )
    # The real panel, received later, supersedes the snapshot's synthetic table (System C) in
    # every year it reports. Its blank for 西藏 is no data in this vintage, never a silent
    # fall-back to the older synthetic figure: 西藏 has no software revenue at all.
    assert ("software_revenue", "西藏自治区", 2024) not in by_key
    panel_files = {
        rest[4] for (code, _, year), rest in by_key.items()
        if code == "software_revenue" and year == 2024
    }  # fmt: skip
    assert panel_files == {SOFTWARE_PANEL}
    assert len({name for code, name, year in by_key if code == "software_revenue"}) == 30
    # GDP: the real export (19 years) and its XLSX copy, newer than the synthetic snapshot file.
    gdp = {(name, year): rest for (code, name, year), rest in by_key.items() if code == "gdp"}
    assert len(gdp) == 31 * 19
    assert gdp[("北京市", 2024)][0] == 49670.2
    assert gdp[("新疆维吾尔自治区", 2006)][0] == 2984.5
    assert {rest[4] for rest in gdp.values()} <= {EXPORT, "export_gdp.xlsx"}
    assert {rest[3] for rest in gdp.values()} == {"国家统计局"}


def test_a_bad_delivery_is_quarantined_while_a_good_one_in_the_same_run_loads(
    one_run: Run, latest_check_evaluation
) -> None:
    copied_warehouse, result = one_run.environment, one_run.result
    registry = one_run.landing / "compute_centres" / "compute_centres_2025.csv"
    racks_before = one_run.racks_before
    output = result.stdout + result.stderr

    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(copied_warehouse["SUANLI_WAREHOUSE"], read_only=True) as work:
        [(reason, archived)] = work.execute(
            "select reason, archived_path from raw.quarantine "
            "where source = 'compute_centres' and partition_key = '2025'"
        ).fetchall()
        current = work.execute(
            "select file_name, received_at < now() from raw.deliveries "
            "where source = 'compute_centres' and partition_key = '2025' and is_current"
        ).fetchall()
    lines = reason.splitlines()
    assert lines[0] == (
        'compute_centres_2025.csv: row 2, column "province": value "北平市" — expected a '
        "province name or GB/T 2260 code (unknown region)"
    )
    assert lines[1] == (
        'compute_centres_2025.csv: row 3, column "racks_in_use": value "-12" — expected a '
        "whole number ≥ 0 (negative count)"
    )
    assert Path(archived).read_bytes() == registry.read_bytes(), "kept as received"
    assert len(current) == 1, "the earlier 2025 registry stays in force"

    assert lines[2].startswith(
        'compute_centres_2025.csv: row 5, column "racks_fitted_out": value "12,3a" — expected'
    )
    evaluation = latest_check_evaluation(
        ["raw", "compute_centres"], "delivery_accepted", copied_warehouse
    )
    assert not evaluation.passed
    assert "compute_centres_2025.csv quarantined: compute_centres_2025.csv: row 2" in (
        evaluation.description
    )
    with published(copied_warehouse) as marts:
        users = marts.execute(
            "select raw_value from marts.fct_indicator_values where year = 2025 "
            "and indicator_code = 'private_line_users' and unit_code = '110000' "
            "and system_code = 'comprehensive_v4'"
        ).fetchone()
        racks_after = marts.execute(RACKS_2025).fetchall()
    assert users == (370999,), "the good correction was loaded and published"
    # The registry in force before the bad one still counts (sums agree to rounding: DuckDB
    # may add the centres in another order).
    assert [code for code, _ in racks_after] == [code for code, _ in racks_before]
    assert [value for _, value in racks_after] == pytest.approx(
        [value for _, value in racks_before], rel=1e-12
    )
    work = Path(copied_warehouse["SUANLI_WAREHOUSE"])
    in_force = last_publication(work.with_name(f"{work.stem}_marts{work.suffix}"))["deliveries"]
    registry_2025 = [
        d for d in in_force if d["source"] == "compute_centres" and d["partition"] == "2025"
    ]
    assert (
        registry_2025
        and registry_2025[0]["sha256"] != hashlib.sha256(registry.read_bytes()).hexdigest()
    ), "the publication records which deliveries it was built from"

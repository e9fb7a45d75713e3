"""The scale generator (tools/scale_generator) at a small size: deterministic, the rows asked
for, registers that never run backwards, defects where asked, and the pipeline's intake
accepting the clean months (gaps reported) and refusing the defective ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from scale_generator import patents, telemetry
from scale_generator.registry import registry, write_registry
from snapshot_generator.others import cn_application_number
from suanli.intake.catalog import source_specs
from suanli.intake.check import check_files
from suanli.settings import DBT_PROJECT_DIR

CENTRES = 6
YEAR = 2025


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def spec(name: str):
    import json

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    return next(s for s in source_specs(manifest) if s.name == name)


def months_of(folder: Path) -> list[Path]:
    return sorted((folder / "centre_energy" / str(YEAR)).glob("*.parquet"))


def test_telemetry_is_deterministic_and_complete_without_gaps(tmp_path: Path) -> None:
    for run in ("a", "b"):
        write_registry(tmp_path / run, CENTRES, YEAR)
        rows, defects = telemetry.write_year(
            registry(CENTRES, YEAR), YEAR, tmp_path / run, seed=3, months=[1, 2], gap_rate=0
        )
        assert rows == CENTRES * (31 + 28) * 24
        assert defects == []
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    other = tmp_path / "other-seed"
    telemetry.write_year(registry(CENTRES, YEAR), YEAR, other, seed=4, months=[1], gap_rate=0)
    assert (
        digest(other)["centre_energy/2025/centre_energy_2025-01.parquet"]
        != (digest(tmp_path / "a")["centre_energy/2025/centre_energy_2025-01.parquet"])
    )


def test_registers_never_run_backwards_and_months_continue(tmp_path: Path) -> None:
    telemetry.write_year(registry(CENTRES, YEAR), YEAR, tmp_path, months=[1, 2, 3])
    files = "[" + ", ".join(f"'{path}'" for path in months_of(tmp_path)) + "]"
    backwards, hourly_pue, ids = duckdb.sql(
        f"""
        with steps as (
            select
                centre_id,
                facility_kwh - lag(facility_kwh) over w as facility,
                it_kwh - lag(it_kwh) over w as it,
                clean_kwh - lag(clean_kwh) over w as clean,
                co2_kg - lag(co2_kg) over w as co2,
                date_diff('hour', lag(reading_hour) over w, reading_hour) as hours
            from read_parquet({files})
            window w as (partition by centre_id order by reading_hour)
        )
        select
            count(*) filter (where facility < 0 or it < 0 or clean < 0 or co2 < 0),
            avg(facility / it) filter (where hours = 1),
            list(distinct centre_id order by centre_id)
        from steps
        """
    ).fetchall()[0]
    assert backwards == 0
    assert 1.15 < hourly_pue < 1.8
    assert ids == sorted(registry(CENTRES, YEAR).ids)


def test_a_month_does_not_depend_on_which_months_are_written(tmp_path: Path) -> None:
    telemetry.write_year(registry(CENTRES, YEAR), YEAR, tmp_path / "all", months=[1, 2])
    telemetry.write_year(registry(CENTRES, YEAR), YEAR, tmp_path / "one", months=[2])
    name = "centre_energy/2025/centre_energy_2025-02.parquet"
    assert digest(tmp_path / "all")[name] == digest(tmp_path / "one")[name]


def test_gaps_are_accepted_and_defects_refused_by_the_intake(tmp_path: Path) -> None:
    clean, bad = tmp_path / "clean", tmp_path / "bad"
    telemetry.write_year(registry(40, YEAR), YEAR, clean, months=[6], gap_rate=0.01)
    _, defects = telemetry.write_year(
        registry(40, YEAR), YEAR, bad, months=[6], defects=telemetry.DEFECT_KINDS, defect_count=2
    )
    assert sorted(d.kind for d in defects) == sorted(telemetry.DEFECT_KINDS * 2)
    month = months_of(bad)[0]
    counts = duckdb.sql(
        f"""
        select
            (select count(*) - count(distinct (centre_id, reading_hour)) from '{month}'),
            (select count(*) from '{month}' where it_kwh < 0),
            (select count(*) from '{month}' where month(reading_hour) <> 6)
        """
    ).fetchall()[0]
    assert counts == (2, 2, 2)

    (accepted,) = check_files(spec("centre_energy"), months_of(clean))
    assert accepted.accepted, accepted.lines
    assert accepted.lines, "the gaps are reported"
    (refused,) = check_files(spec("centre_energy"), [month])
    assert not refused.accepted
    text = "\n".join(refused.lines)
    for kind in ("(duplicate key)", "(meter reset)", "(out of range)", "(outside period)"):
        assert kind in text


def test_patents_are_deterministic_unique_and_well_formed(tmp_path: Path) -> None:
    paths = [patents.write_patents(tmp_path / run, 20_000, seed=5) for run in ("a", "b")]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    rows = duckdb.sql(
        f"select patent_id, filing_date, grant_date from read_csv('{paths[0]}', all_varchar=true)"
    ).fetchall()
    assert len(rows) == 20_000
    ids = [row[0] for row in rows]
    assert len(set(ids)) == len(ids)
    assert all(cn_application_number(int(i[2:6]), int(i[7:14]), int(i[6])) == i for i in ids[:2000])
    assert all(grant is None or grant > filed for _, filed, grant in rows)
    (accepted,) = check_files(spec("patents"), [paths[0]])
    assert accepted.accepted, accepted.lines


def test_patent_defects_are_refused(tmp_path: Path) -> None:
    path = patents.write_patents(tmp_path, 5_000, defects=patents.DEFECT_KINDS, defect_count=2)
    duplicates, unknown = duckdb.sql(
        f"""select count(*) - count(distinct patent_id),
                   count(*) filter (where applicant_province = '火星省')
            from read_csv('{path}', all_varchar=true)"""
    ).fetchall()[0]
    assert (duplicates, unknown) == (2, 2)
    (refused,) = check_files(spec("patents"), [path])
    assert not refused.accepted


@pytest.mark.parametrize("kind", ["telemetry", "patents"])
def test_unknown_defects_are_an_error(tmp_path: Path, kind: str) -> None:
    with pytest.raises(ValueError, match="unknown defect"):
        if kind == "telemetry":
            telemetry.write_year(registry(2, YEAR), YEAR, tmp_path, months=[1], defects=["x"])
        else:
            patents.write_patents(tmp_path, 100, defects=["x"])

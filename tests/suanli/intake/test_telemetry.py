"""Reading a month of meter telemetry (`centre_energy`): what a month file must be to become
current, and how each way it can be wrong is named — file, row, column, value, expected.

On the real `centre_energy` source of dbt's manifest; the files are edits of the bundled
demonstration month (three centres, hourly registers, a few hours missing).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from suanli.intake.catalog import source_specs
from suanli.intake.check import check_files
from suanli.intake.delivery import Delivery, store
from suanli.intake.errors import DeliveryError
from suanli.intake.readers import reader_for
from suanli.settings import DBT_PROJECT_DIR, SNAPSHOT_DIR

with (DBT_PROJECT_DIR / "target" / "manifest.json").open(encoding="utf-8") as _manifest:
    SPEC = next(s for s in source_specs(json.load(_manifest)) if s.name == "centre_energy")
MARCH = SNAPSHOT_DIR / "centre_energy" / "2025" / "centre_energy_2025-03.parquet"
OCTOBER_CSV = SNAPSHOT_DIR / "centre_energy" / "2024" / "centre_energy_2024-10.csv"


def month_file(tmp_path: Path, edit: str = "", suffix: str = ".parquet", name: str = "") -> Path:
    """The demo's March 2025 as Parquet or CSV after `edit` (SQL on table `m`, in row order)."""
    path = tmp_path / (name or f"centre_energy_2025-03{suffix}")
    with duckdb.connect() as connection:
        connection.execute(f"create table m as select * from '{MARCH}'")
        if edit:
            connection.execute(edit)
        options = "(format parquet)" if suffix == ".parquet" else "(header)"
        connection.execute(f"copy (select * from m order by rowid) to '{path}' {options}")
    return path


def read(path: Path, slot: str = "2025-03") -> tuple[int, list[str]]:
    """(rows, notes) of an accepted file; a refused one raises DeliveryError."""
    delivery = Delivery(SPEC.name, slot, path.name, path.read_bytes())
    with duckdb.connect() as connection:
        candidate = reader_for(SPEC)(connection, delivery)
        try:
            return candidate.rows, [str(note) for note in candidate.notes]
        finally:
            candidate.drop(connection)


def refused(path: Path) -> list[str]:
    with pytest.raises(DeliveryError) as raised:
        read(path)
    return [str(problem) for problem in raised.value.problems]


def test_the_contract_is_a_yearly_source_of_month_files() -> None:
    assert SPEC.format == "telemetry" and SPEC.partitioned_by_year and SPEC.is_multi_file
    assert SPEC.slot_for("2025", "centre_energy_2025-03.parquet") == "2025-03"
    assert SPEC.slot_for("2024", "centre_energy_2024-11.csv") == "2024-11"
    assert SPEC.year_of_slot("2025-03") == "2025"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_good_month_is_accepted_in_either_format_and_its_gaps_are_told(
    tmp_path: Path, suffix: str
) -> None:
    rows, notes = read(month_file(tmp_path, suffix=suffix))
    assert rows == 2232  # three centres × 744 hours of March, none missing in the demo's March
    assert notes == []
    # delete two hours of one centre: accepted, and the stretch named with the row after it
    gap = "delete from m where centre_id = 'DC-110000-0001' and hour(reading_hour) in (5, 6) "
    gap += "and day(reading_hour) = 2"
    rows, notes = read(month_file(tmp_path, gap, suffix))
    assert rows == 2230
    first_row = 2 if suffix == ".csv" else 1  # the CSV's header is row 1
    assert notes == [
        f'centre_energy_2025-03{suffix}: row {first_row + 29}, column "reading_hour": value '
        '"DC-110000-0001: 2025-03-02 05:00–2025-03-02 06:00" — expected a reading every hour '
        "(2 h missing; accepted, lowers metering coverage) (hours missing)"
    ]


def test_a_duplicated_hour_names_both_rows(tmp_path: Path) -> None:
    path = month_file(tmp_path, "insert into m select * from m where rowid = 9")
    assert refused(path) == [
        'centre_energy_2025-03.parquet: row 2233, column "centre_id, reading_hour": value '
        '"DC-110000-0001 at 2025-03-01 09:00" — expected one reading per centre and hour: '
        "row 10 has the same (duplicate key)"
    ]


def test_a_meter_reset_names_the_reading_and_the_one_before(tmp_path: Path) -> None:
    lines = refused(month_file(tmp_path, "update m set it_kwh = 12.5 where rowid = 99"))
    assert len(lines) == 1
    assert lines[0].startswith(
        'centre_energy_2025-03.parquet: row 100, column "it_kwh": value "12.5" — expected a '
        "register never lower than the centre's previous reading, "
    )
    assert "(row 99)" in lines[0] and lines[0].endswith("(meter reset)")


def test_a_negative_reading_is_out_of_range_not_a_reset(tmp_path: Path) -> None:
    lines = refused(month_file(tmp_path, "update m set clean_kwh = -3 where rowid = 0"))
    assert lines == [
        'centre_energy_2025-03.parquet: row 1, column "clean_kwh": value "-3.0" — expected a '
        "reading ≥ 0: a register is never negative (out of range)"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            "update m set reading_hour = timestamp '2025-04-01 00:00:00' where rowid = 743",
            'row 744, column "reading_hour": value "2025-04-01 00:00:00" — expected a reading '
            "in 2025-03, the file's month (outside period)",
        ),
        (
            "update m set reading_hour = reading_hour + interval 30 minute where rowid = 4",
            'row 5, column "reading_hour": value "2025-03-01 04:30:00" — expected a time on '
            "the hour, YYYY-MM-DD HH:00:00 (not a date)",
        ),
        (
            "update m set provenance = 'measured' where rowid = 6",
            'row 7, column "provenance": value "measured" — expected one of published, '
            "derived, synthetic, imputed (not allowed)",
        ),
        (
            "update m set centre_id = null where rowid = 7",
            'row 8, column "centre_id" — expected a value (missing value)',
        ),
    ],
)
def test_each_bad_cell_is_named(tmp_path: Path, edit: str, expected: str) -> None:
    assert f"centre_energy_2025-03.parquet: {expected}" in refused(month_file(tmp_path, edit))


def test_every_broken_rule_is_counted_and_its_rows_named_in_row_order(tmp_path: Path) -> None:
    # 3 negative readings, 2 missing centres, 1 reset: counted apart, each row named once
    edit = (
        "update m set clean_kwh = -1 where rowid in (40, 41, 42);"
        "update m set centre_id = null where rowid in (3, 5);"
        "update m set it_kwh = 12.5 where rowid = 1500"
    )
    with pytest.raises(DeliveryError) as raised:
        read(month_file(tmp_path, edit))
    problems = raised.value.problems
    assert raised.value.total == len(problems) == 6
    assert [(problem.row, problem.column) for problem in problems] == [
        (4, "centre_id"), (6, "centre_id"), (41, "clean_kwh"), (42, "clean_kwh"),
        (43, "clean_kwh"), (1501, "it_kwh"),
    ]  # fmt: skip


def test_a_text_cell_in_a_csv_register_is_not_a_number(tmp_path: Path) -> None:
    path = month_file(tmp_path, suffix=".csv")
    lines = path.read_text().splitlines()
    fields = lines[3].split(",")
    fields[2] = "n/a"
    lines[3] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    assert refused(path)[0] == (
        'centre_energy_2025-03.csv: row 4, column "facility_kwh": value "n/a" — expected a '
        "number (a cumulative register) (not a number)"
    )


def test_a_missing_column_is_a_schema_change_and_co2_may_be_left_out(tmp_path: Path) -> None:
    without_it = month_file(tmp_path, "alter table m drop column it_kwh")
    assert refused(without_it)[0].startswith(
        'centre_energy_2025-03.parquet: row 1, column "it_kwh" — expected a column it_kwh'
    )
    without_co2 = month_file(tmp_path, "alter table m drop column co2_kg", name="a.parquet")
    assert read(without_co2)[0] == 2232


def test_a_month_that_is_not_a_month_file_is_refused(tmp_path: Path) -> None:
    path = month_file(tmp_path, suffix=".parquet", name="centre_energy_2025-03.xlsx")
    with pytest.raises(DeliveryError, match=r"a \.parquet or \.csv month file"):
        read(path)


def test_a_refused_month_is_quarantined_and_the_month_in_force_stays(tmp_path: Path) -> None:
    good = month_file(tmp_path)
    bad = month_file(tmp_path, "update m set it_kwh = 1 where rowid = 50", name="bad.parquet")
    archive = tmp_path / "archive"
    with duckdb.connect() as connection:
        deliver: Callable[[Path], object] = lambda path: store(  # noqa: E731
            connection, SPEC,
            Delivery(SPEC.name, "2025-03", "centre_energy_2025-03.parquet", path.read_bytes()),
            archive, reader_for(SPEC),
        )  # fmt: skip
        assert deliver(good).status == "loaded"
        result = deliver(bad)
        assert result.status == "quarantined" and "row 51" in result.problems[0]
        current = connection.execute(
            "select count(*), any_value(_delivery_id) from raw.centre_energy "
            "join raw.deliveries on _delivery_id = delivery_id where is_current"
        ).fetchone()
        quarantined = connection.execute("select count(*) from raw.quarantine").fetchone()
    assert current[0] == 2232 and quarantined == (1,)
    assert len(list((archive / "centre_energy").iterdir())) == 2  # both archived as received


def test_the_check_command_reads_the_year_and_month_off_the_name(tmp_path: Path) -> None:
    verdicts = check_files(SPEC, [MARCH, OCTOBER_CSV])
    assert [verdict.accepted for verdict in verdicts] == [True, True]
    assert verdicts[1].rows == 1474


def test_the_landing_sensor_knows_a_month_file_by_its_folder_and_name() -> None:
    from suanli.intake.sensor import match_file

    assert match_file("centre_energy/2025/centre_energy_2025-03.parquet", [SPEC]) == (
        SPEC,
        "2025",
    )
    with pytest.raises(LookupError):  # the year of the folder and of the name must agree
        match_file("centre_energy/2025/centre_energy_2024-03.parquet", [SPEC])


def test_every_bundled_month_is_accepted() -> None:
    months = sorted((SNAPSHOT_DIR / "centre_energy").glob("*/*"))
    assert len(months) == 15
    verdicts = check_files(SPEC, months)
    assert [v.file.name for v in verdicts if not v.accepted] == []

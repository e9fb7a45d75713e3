"""A delivery is archived as received, typed by its contract, audited, and made current once.

The sources are the real ones, read from dbt's manifest; the files are small edits of
snapshot rows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from suanli.intake.catalog import SourceSpec, source_specs
from suanli.intake.delivery import (
    DELIVERIES_DDL,
    QUARANTINE_DDL,
    Delivery,
    migrate_raw_table,
    raw_layout_is_current,
    store,
)
from suanli.intake.errors import IMPLAUSIBLE_CHANGE, DeliveryError, Problem
from suanli.intake.readers import reader_for
from suanli.intake.records import Candidate
from suanli.settings import DBT_PROJECT_DIR

with (DBT_PROJECT_DIR / "target" / "manifest.json").open(encoding="utf-8") as _manifest:
    SPECS = {spec.name: spec for spec in source_specs(json.load(_manifest))}
NETWORK = SPECS["network_stats"]
CENTRES = SPECS["compute_centres"]

HEADER = ",".join(NETWORK.columns)
BEIJING = (
    "北京,2025,12,21783268,83.8,370971,118.08,131.95,1,59850,45.8,11.58,0.042,"
    "synthetic,suanli demo generator v1"
)
INNER_MONGOLIA = (
    "内蒙古,2025,3,20133674,94.1,114073,95.25,102.98,1,33414,50.3,7.33,0.069,"
    "synthetic,suanli demo generator v1"
)
GOOD = f"{HEADER}\n{BEIJING}\n{INNER_MONGOLIA}\n"
FILE = "network_stats_2025.csv"
COLUMNS = ", ".join(NETWORK.columns)
EXPECTED_COLUMNS = f"the columns of source 'network_stats', in order: {COLUMNS}"


def delivery(text: str, encoding: str = "utf-8", name: str = FILE) -> Delivery:
    return Delivery(NETWORK.name, "2025", name, text.encode(encoding))


def read(connection: duckdb.DuckDBPyConnection, text: str, encoding: str = "utf-8") -> Candidate:
    return reader_for(NETWORK)(connection, delivery(text, encoding))


def refusal(text: str | bytes, spec: SourceSpec = NETWORK, name: str = FILE) -> list[str]:
    content = text if isinstance(text, bytes) else text.encode()
    connection = duckdb.connect()
    with pytest.raises(DeliveryError) as raised:
        reader_for(spec)(connection, Delivery(spec.name, "2025", name, content))
    return str(raised.value).splitlines()


@pytest.fixture
def connection(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        yield conn


def current(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    return connection.execute(
        "select delivery_id from raw.deliveries where is_current order by received_at"
    ).fetchall()


# --------------------------------------------------------------------------------- reading


def test_rows_are_kept_typed_with_their_row_numbers() -> None:
    connection = duckdb.connect()
    candidate = read(connection, GOOD)
    assert (candidate.rows, candidate.encoding, candidate.problems) == (2, "utf-8", [])
    rows = connection.execute(
        "select province, province_as_delivered, year, broadband_ports, otn_coverage_pct, "
        f"inter_centre_loss_pct, provenance, _row_number from {candidate.table} order by 8"
    ).fetchall()
    assert rows == [
        ("110000", "北京", 2025, 21783268, 83.8, 0.042, "synthetic", 2),
        ("150000", "内蒙古", 2025, 20133674, 94.1, 0.069, "synthetic", 3),
    ]
    types = dict(
        connection.execute(
            f"select column_name, column_type from (describe {candidate.table})"
        ).fetchall()
    )
    assert (types["year"], types["broadband_ports"], types["otn_coverage_pct"]) == (
        "INTEGER",
        "BIGINT",
        "DOUBLE",
    )


def test_gbk_deliveries_are_decoded() -> None:
    connection = duckdb.connect()
    candidate = read(connection, GOOD, "gbk")
    assert candidate.encoding == "gb18030"
    assert connection.execute(
        f"select province, province_as_delivered from {candidate.table} order by _row_number"
    ).fetchall() == [("110000", "北京"), ("150000", "内蒙古")]


def test_a_renamed_column_names_the_file_the_missing_and_the_unexpected() -> None:
    renamed = GOOD.replace("broadband_ports", "ports")
    assert refusal(renamed) == [
        f'{FILE}: row 1, column "broadband_ports" — expected {EXPECTED_COLUMNS} '
        "(column missing) (schema change)",
        f'{FILE}: row 1, column "ports": value "ports" — expected {EXPECTED_COLUMNS} '
        "(column not declared) (schema change)",
    ]


def test_reordered_columns_are_a_schema_change() -> None:
    reordered = GOOD.replace("province,year", "year,province", 1)
    assert refusal(reordered) == [
        f'{FILE}: row 1: value "{reordered.splitlines()[0]}" — expected {EXPECTED_COLUMNS} '
        "(order changed) (schema change)"
    ]


def test_a_truncated_row_names_its_row() -> None:
    assert refusal(GOOD + "上海,2025\n") == [
        f'{FILE}: row 4: value "上海,2025" — expected 15 fields ({COLUMNS}), found fewer '
        "(truncated file)"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"{FILE}: row 1 — expected a header row (empty file)"),
        (f"{HEADER}\n", f"{FILE}: row 2 — expected data rows after the header (empty file)"),
    ],
)
def test_an_empty_delivery_is_refused(text: str, message: str) -> None:
    assert refusal(text) == [message]


NOT_UTF16 = "text in UTF-8 (with or without BOM) or GB18030/GBK, not UTF-16 or binary data"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            HEADER.encode() + b"\n\xff\xfe\x81\x30\n",  # neither UTF-8 nor GB18030
            "text in UTF-8 (with or without BOM) or GB18030/GBK, or an .xlsx/.xls workbook",
        ),
        (GOOD.encode("utf-16"), NOT_UTF16),  # with a byte-order mark: Excel's "Unicode text"
        (GOOD.encode("utf-16-le"), NOT_UTF16),  # without one, which GB18030 would "decode"
        (GOOD.encode() + b"\x00" * 16, NOT_UTF16),  # binary data after the text
    ],
    ids=["no-encoding", "utf-16-with-bom", "utf-16-without-bom", "nul-bytes"],
)
def test_bytes_in_no_known_encoding_are_refused(content: bytes, expected: str) -> None:
    assert refusal(content) == [f"{FILE} — expected {expected} (unreadable encoding)"]


# --------------------------------------------------------------------------------- storing


def test_store_archives_loads_and_treats_identical_bytes_as_a_no_op(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    first = store(connection, NETWORK, delivery(GOOD), archive, reader_for(NETWORK))
    again = store(connection, NETWORK, delivery(GOOD), archive, reader_for(NETWORK))

    assert (first.status, again.status) == ("loaded", "unchanged")
    assert (first.row_count, first.encoding) == (2, "utf-8")
    assert again.delivery_id == first.delivery_id and again.archived_path == first.archived_path
    assert Path(first.archived_path).read_bytes() == GOOD.encode()
    rows = connection.execute(
        "select province, province_as_delivered, broadband_ports, _delivery_id, _row_number "
        "from raw.network_stats order by _row_number"
    ).fetchall()
    assert rows == [
        ("110000", "北京", 21783268, first.delivery_id, 2),
        ("150000", "内蒙古", 20133674, first.delivery_id, 3),
    ]
    assert connection.execute("select count(*) from raw.deliveries").fetchone() == (1,)
    assert raw_layout_is_current(connection, NETWORK)


def test_a_corrected_delivery_supersedes_but_keeps_the_old_one(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    first = store(connection, NETWORK, delivery(GOOD), archive, reader_for(NETWORK))
    corrected = GOOD.replace("20133674", "20133600")
    second = store(connection, NETWORK, delivery(corrected), archive, reader_for(NETWORK))

    assert second.status == "loaded"
    deliveries = connection.execute(
        "select delivery_id, is_current, row_count from raw.deliveries order by received_at"
    ).fetchall()
    assert deliveries == [(first.delivery_id, False, 2), (second.delivery_id, True, 2)]
    assert connection.execute(
        "select _delivery_id, broadband_ports from raw.network_stats "
        "where province = '150000' order by broadband_ports"
    ).fetchall() == [(second.delivery_id, 20133600), (first.delivery_id, 20133674)]
    assert len(list((archive / NETWORK.name).iterdir())) == 2


def test_a_rejected_delivery_is_quarantined_and_the_good_one_stays_current(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    good = store(connection, NETWORK, delivery(GOOD), archive, reader_for(NETWORK))
    bad_text = GOOD.replace("21783268", '"21,783,268.5"').replace("内蒙古", "北平")
    bad = store(connection, NETWORK, delivery(bad_text), archive, reader_for(NETWORK))

    assert bad.status == "quarantined"
    assert bad.problems == (
        f'{FILE}: row 2, column "broadband_ports": value "21,783,268.5" — expected a whole '
        "number ≥ 0 (not a whole number)",
        f'{FILE}: row 3, column "province": value "北平" — expected a province name or GB/T '
        "2260 code (unknown region)",
    )
    assert Path(bad.archived_path).read_bytes() == bad_text.encode(), "kept as received"
    assert current(connection) == [(good.delivery_id,)]
    quarantined = connection.execute(
        "select delivery_id, file_name, problems, reason from raw.quarantine"
    ).fetchall()
    assert quarantined == [
        (bad.delivery_id, FILE, json.dumps(list(bad.problems), ensure_ascii=False),
         "\n".join(bad.problems))
    ]  # fmt: skip
    assert connection.execute("select count(*) from raw.network_stats").fetchone() == (2,)

    again = store(connection, NETWORK, delivery(bad_text), archive, reader_for(NETWORK))
    assert again.status == "quarantined" and again.problems == bad.problems
    assert connection.execute("select count(*) from raw.quarantine").fetchone() == (1,)


def test_an_audit_can_quarantine_a_well_formed_delivery(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The audit sees the typed candidate and the rows it would supersede."""
    seen = []

    def ports_may_not_halve(connection, spec, candidate, received, previous):
        seen.append(previous)
        if previous is None:
            return []
        rows = connection.execute(
            f"select c._row_number, c.broadband_ports::varchar, p.broadband_ports from "
            f"{candidate} c join {previous} p using (province) "
            "where c.broadband_ports < p.broadband_ports / 2 order by 1"
        ).fetchall()
        return [
            Problem(IMPLAUSIBLE_CHANGE, received.file_name, row, "broadband_ports", value,
                    f"at least half of the {before} delivered before")
            for row, value, before in rows
        ]  # fmt: skip

    archive = tmp_path / "archive"
    reader = reader_for(NETWORK)
    good = store(connection, NETWORK, delivery(GOOD), archive, reader, ports_may_not_halve)
    halved = GOOD.replace("20133674", "10000")
    refused = store(connection, NETWORK, delivery(halved), archive, reader, ports_may_not_halve)

    assert seen[0] is None and seen[1].startswith("_previous_")
    assert refused.status == "quarantined"
    assert refused.problems == (
        f'{FILE}: row 3, column "broadband_ports": value "10000" — expected at least half of '
        "the 20133674 delivered before (implausible change)",
    )
    assert Path(refused.archived_path).read_bytes() == halved.encode()
    assert current(connection) == [(good.delivery_id,)]
    assert connection.execute("select count(*) from raw.network_stats").fetchone() == (2,)


def test_an_exception_inside_the_reader_is_quarantined_as_an_intake_error(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    def broken(connection: duckdb.DuckDBPyConnection, received: Delivery) -> Candidate:
        raise KeyError("nobody foresaw this")

    result = store(connection, NETWORK, delivery(GOOD), tmp_path / "archive", broken)

    assert result.status == "quarantined"
    assert result.problems == (
        f"{FILE} — expected a file intake can read; reading it failed with KeyError: "
        "'nobody foresaw this' (please report this: the bytes are archived) (intake error)",
    )
    assert Path(result.archived_path).read_bytes() == GOOD.encode()
    assert connection.execute(
        "select delivery_id, archived_path from raw.quarantine"
    ).fetchall() == [(result.delivery_id, result.archived_path)]
    assert current(connection) == []


CENTRES_2025 = [
    "DC-110000-0001,北京经开区大数据中心,北京市,北京市,2394,0,2252,1539,0.0,61.0,513.561,262.661,"
    "104.502,312379656,26157.1,18364.2,14325.2,8681.3,0.703,7871.6,549.8,N,N,N,synthetic,"
    "suanli demo generator v1",
    "DC-320000-0002,万国数据苏州智算中心,江苏,苏州,3160,0,3145,1644,738.5,67.1,672.239,439.587,"
    "125.055,435331204,37457.2,21769.9,19600.1,10600.1,0.689,17096.3,321.8,N,Y,Y,synthetic,"
    "suanli demo generator v1",
]


def test_migrating_an_old_text_raw_table_rereads_the_archive_into_the_typed_layout(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """A warehouse of the old contract: every column text, the bytes in the archive."""
    text = "\n".join([",".join(CENTRES.columns), *CENTRES_2025]) + "\n"
    old = Delivery(CENTRES.name, "2025", "compute_centres_2025.csv", text.encode())
    archived = tmp_path / "archive" / CENTRES.name / f"{old.delivery_id[:16]}__{old.file_name}"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(old.content)
    connection.execute("create schema raw")
    connection.execute(DELIVERIES_DDL)
    connection.execute(QUARANTINE_DDL)
    text_columns = ", ".join(f'"{name}" varchar' for name in CENTRES.columns)
    connection.execute(
        f"create table raw.compute_centres ({text_columns}, _delivery_id varchar not null, "
        "_row_number bigint not null)"
    )
    connection.executemany(
        f"insert into raw.compute_centres values ({', '.join('?' * (len(CENTRES.columns) + 2))})",
        [[*line.split(","), old.delivery_id, row] for row, line in enumerate(CENTRES_2025, 2)],
    )
    connection.execute(
        "insert into raw.deliveries values (?, ?, '2025', ?, ?, 'utf-8', 2, ?, ?, true)",
        [old.delivery_id, CENTRES.name, old.file_name, len(old.content),
         dt.datetime(2025, 4, 1), str(archived)],
    )  # fmt: skip
    assert not raw_layout_is_current(connection, CENTRES)

    done = migrate_raw_table(connection, CENTRES, reader_for(CENTRES))

    assert done == ["compute_centres_2025.csv: re-read from the archive into the typed layout"]
    assert raw_layout_is_current(connection, CENTRES)
    assert connection.execute(
        "select centre_id, province, province_as_delivered, city, city_as_delivered, "
        "racks_in_use, general_compute_pflops, metro_connected, _delivery_id, _row_number "
        "from raw.compute_centres order by _row_number"
    ).fetchall() == [
        ("DC-110000-0001", "110000", "北京市", None, "北京市", 2394, 61.0, False,
         old.delivery_id, 2),
        ("DC-320000-0002", "320000", "江苏", "320500", "苏州", 3160, 67.1, True,
         old.delivery_id, 3),
    ]  # fmt: skip
    assert migrate_raw_table(connection, CENTRES, reader_for(CENTRES)) == [], "done once"

"""A delivery is kept as received, checked for shape, and loaded once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from suanli.sources.catalog import SourceSpec
from suanli.sources.delivery import Delivery, parse, store
from suanli.sources.errors import NEGATIVE_COUNT, DeliveryError, Problem

SPEC = SourceSpec(
    name="network_stats_demo",
    description="demo",
    file_pattern="demo/demo_{year}.csv",
    partitioned_by_year=True,
    columns=("province", "year", "broadband_ports"),
)
GOOD = "province,year,broadband_ports\n北京,2025,21736000\n内蒙古,2025,9876543\n"


def delivery(text: str, encoding: str = "utf-8", name: str = "demo_2025.csv") -> Delivery:
    return Delivery(SPEC.name, "2025", name, text.encode(encoding))


@pytest.fixture
def connection(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        yield conn


def test_rows_are_kept_verbatim_as_text_with_file_line_numbers() -> None:
    frame, encoding = parse(delivery(GOOD), SPEC)
    assert encoding == "utf-8-sig"
    assert frame.to_dict("records") == [
        {"province": "北京", "year": "2025", "broadband_ports": "21736000"},
        {"province": "内蒙古", "year": "2025", "broadband_ports": "9876543"},
    ]


def test_gbk_deliveries_are_decoded() -> None:
    frame, encoding = parse(delivery(GOOD, "gbk"), SPEC)
    assert encoding == "gb18030"
    assert list(frame["province"]) == ["北京", "内蒙古"]


EXPECTED_COLUMNS = (
    "the columns of source 'network_stats_demo', in order: province, year, broadband_ports"
)


def test_a_renamed_column_names_the_file_the_missing_and_the_unexpected() -> None:
    renamed = GOOD.replace("broadband_ports", "ports")
    with pytest.raises(DeliveryError) as raised:
        parse(delivery(renamed), SPEC)
    assert str(raised.value).splitlines() == [
        f'demo_2025.csv: row 1, column "broadband_ports" — expected {EXPECTED_COLUMNS} '
        "(column missing) (schema change)",
        f'demo_2025.csv: row 1, column "ports": value "ports" — expected {EXPECTED_COLUMNS} '
        "(column not declared) (schema change)",
    ]


def test_reordered_columns_are_a_schema_change() -> None:
    reordered = "year,province,broadband_ports\n2025,北京,21736000\n"
    with pytest.raises(DeliveryError, match=r"\(order changed\) \(schema change\)$"):
        parse(delivery(reordered), SPEC)


def test_a_truncated_row_names_its_line() -> None:
    truncated = GOOD + "上海,2025\n"
    with pytest.raises(DeliveryError) as raised:
        parse(delivery(truncated), SPEC)
    assert str(raised.value) == (
        'demo_2025.csv: row 4: value "上海,2025" — expected 3 fields '
        "(province, year, broadband_ports), found 2 (truncated file)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "demo_2025.csv: row 1 — expected a header row (empty file)"),
        (
            "province,year,broadband_ports\n",
            "demo_2025.csv: row 2 — expected data rows after the header (empty file)",
        ),
    ],
)
def test_an_empty_delivery_is_refused(text: str, message: str) -> None:
    with pytest.raises(DeliveryError) as raised:
        parse(delivery(text), SPEC)
    assert str(raised.value) == message


def test_bytes_in_no_known_encoding_are_refused() -> None:
    with pytest.raises(DeliveryError) as raised:
        parse(Delivery(SPEC.name, "2025", "demo_2025.csv", b"\xff\xfe\x00\x81\x30"), SPEC)
    assert str(raised.value) == (
        "demo_2025.csv — expected a CSV file in UTF-8 (with or without BOM) or GB18030/GBK "
        "(unreadable encoding)"
    )


def test_store_archives_loads_and_treats_identical_bytes_as_a_no_op(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = store(connection, SPEC, delivery(GOOD), tmp_path / "archive")
    again = store(connection, SPEC, delivery(GOOD), tmp_path / "archive")
    assert first.is_new and not again.is_new
    assert Path(first.archived_path).read_bytes() == GOOD.encode()
    rows = connection.execute(
        "select province, broadband_ports, _row_number from raw.network_stats_demo order by 3"
    ).fetchall()
    assert rows == [("北京", "21736000", 2), ("内蒙古", "9876543", 3)]
    assert connection.execute("select count(*) from raw.deliveries").fetchone() == (1,)


def test_a_corrected_delivery_supersedes_but_keeps_the_old_one(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    store(connection, SPEC, delivery(GOOD), tmp_path / "archive")
    corrected = GOOD.replace("9876543", "9876500")
    store(connection, SPEC, delivery(corrected), tmp_path / "archive")
    deliveries = connection.execute(
        "select is_current, row_count from raw.deliveries order by received_at"
    ).fetchall()
    assert deliveries == [(False, 2), (True, 2)]
    assert connection.execute("select count(*) from raw.network_stats_demo").fetchone() == (4,)
    assert len(list((tmp_path / "archive" / SPEC.name).iterdir())) == 2


def test_a_rejected_delivery_is_quarantined_and_the_good_one_stays_current(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    good = store(connection, SPEC, delivery(GOOD), tmp_path / "archive")
    bad_bytes = "wrong,header\n1,2\n"
    bad = store(connection, SPEC, delivery(bad_bytes), tmp_path / "archive")

    assert bad.status == "quarantined"
    assert bad.problems[0].startswith('demo_2025.csv: row 1, column "province"')
    assert Path(bad.archived_path).read_bytes() == bad_bytes.encode(), "kept as received"
    assert connection.execute(
        "select delivery_id from raw.deliveries where is_current"
    ).fetchall() == [(good.delivery_id,)]
    quarantined = connection.execute(
        "select delivery_id, file_name, json_array_length(problems), reason from raw.quarantine"
    ).fetchall()
    assert quarantined == [
        (bad.delivery_id, "demo_2025.csv", 5, bad.problems[0] + "\n" + "\n".join(bad.problems[1:]))
    ]
    assert connection.execute("select count(*) from raw.network_stats_demo").fetchone() == (2,)

    again = store(connection, SPEC, delivery(bad_bytes), tmp_path / "archive")
    assert again.status == "quarantined" and again.problems == bad.problems
    assert connection.execute("select count(*) from raw.quarantine").fetchone() == (1,)


def test_a_reader_can_quarantine_a_well_formed_delivery(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    def no_negative_ports(received: Delivery):
        frame, encoding = parse(received, SPEC)
        frame["_row_number"] = range(2, len(frame) + 2)
        if problems := [
            Problem(NEGATIVE_COUNT, received.file_name, int(row), "broadband_ports", value, ">= 0")
            for row, value in zip(frame["_row_number"], frame["broadband_ports"], strict=True)
            if value.startswith("-")
        ]:
            raise DeliveryError(problems)
        return frame, encoding

    negative = GOOD.replace("9876543", "-9876543")
    result = store(connection, SPEC, delivery(negative), tmp_path / "a", no_negative_ports)
    assert result.problems == (
        'demo_2025.csv: row 3, column "broadband_ports": value "-9876543" — expected >= 0 '
        "(negative count)",
    )
    assert connection.execute("select count(*) from raw.deliveries").fetchone() == (0,)

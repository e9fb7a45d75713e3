"""A delivery is kept as received, checked for shape, and loaded once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from suanli.sources.catalog import SourceSpec
from suanli.sources.delivery import Delivery, DeliveryError, parse, store

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


def test_a_renamed_column_names_the_file_the_missing_and_the_unexpected() -> None:
    renamed = GOOD.replace("broadband_ports", "ports")
    with pytest.raises(DeliveryError) as raised:
        parse(delivery(renamed), SPEC)
    message = str(raised.value)
    assert message.startswith("demo_2025.csv: row 1 (header)")
    assert "missing ['broadband_ports']" in message and "unexpected ['ports']" in message


def test_a_truncated_row_names_its_line() -> None:
    truncated = GOOD + "上海,2025\n"
    with pytest.raises(DeliveryError, match=r"demo_2025.csv: row 4: 2 fields, expected 3"):
        parse(delivery(truncated), SPEC)


@pytest.mark.parametrize("text", ["", "province,year,broadband_ports\n"])
def test_an_empty_delivery_is_refused(text: str) -> None:
    with pytest.raises(DeliveryError, match=r"demo_2025\.csv: (empty file|header only)"):
        parse(delivery(text), SPEC)


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


def test_a_rejected_delivery_changes_nothing(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    store(connection, SPEC, delivery(GOOD), tmp_path / "archive")
    with pytest.raises(DeliveryError):
        store(connection, SPEC, delivery("wrong,header\n1,2\n"), tmp_path / "archive")
    assert connection.execute(
        "select count(*), bool_and(is_current) from raw.deliveries"
    ).fetchone() == (1, True)

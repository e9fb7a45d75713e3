"""An alert reads well as text and e-mail subject, and fits each robot's webhook body."""

from __future__ import annotations

from dataclasses import replace

import pytest

from suanli.alerts.messages import (
    TEXT_LIMITS,
    format_row,
    subject,
    text,
    truncate_utf8,
    webhook_payload,
)
from suanli.alerts.model import Alert, Kind

ALERT = Alert(
    kind=Kind.CHECK_FAILED,
    key="check:raw/compute_centres:gx_compute_centres",
    title="ERROR check gx_compute_centres failed on raw/compute_centres (2025)",
    severity="ERROR",
    asset="raw/compute_centres",
    check="gx_compute_centres",
    partition="2025",
    run_id="run-1",
    run_url="http://127.0.0.1:3000/runs/run-1",
    data_docs="/docs/validations/compute_centres/run-1/x.html",
    expectations=(
        {
            "expectation": "expect_column_values_to_be_between",
            "column": "pue",
            "severity": "ERROR",
            "bounds": {"min_value": 1.0, "max_value": 3.0},
            "observed": None,
            "unexpected_count": 1,
            "rows": [{"centre_id": "DC-110000-0001", "province": "北京市", "pue": 5.0}],
        },
    ),
)


def test_the_text_says_what_where_which_rows_and_links_the_run() -> None:
    lines = text(ALERT).splitlines()
    assert lines[0] == "[suanli 告警 ALERT] " + ALERT.title
    assert "asset: raw/compute_centres" in lines and "partition: 2025" in lines
    assert "check: gx_compute_centres" in lines
    assert (
        "expectation: expect_column_values_to_be_between on pue (ERROR; allowed 1.0 ≤ pue ≤ 3.0)"
    ) in lines
    assert "  observed: 1 unexpected value" in lines
    assert "  - centre_id=DC-110000-0001, province=北京市, pue=5.0" in lines
    assert "run: http://127.0.0.1:3000/runs/run-1" in lines
    assert lines[-1] == "data docs: /docs/validations/compute_centres/run-1/x.html"


QUARANTINE_ALERT = replace(
    ALERT,
    key="check:raw/compute_centres:delivery_accepted",
    title="ERROR check delivery_accepted failed on raw/compute_centres (2025)",
    check="delivery_accepted",
    data_docs=None,
    expectations=(),
    quarantined=(
        {
            "file": "compute_centres_2025.csv",
            "sha256": "0123456789abcdef" * 4,
            "archived_path": "/archive/compute_centres_2025.csv",
            "problems": [
                'compute_centres_2025.csv: row 2, column "total_energy_mwh": value "91821" — '
                "expected PUE = total_energy_mwh ÷ it_energy_mwh within [1.0, 3.0], "
                "found 5.00 (out of range)",
                'compute_centres_2025.csv: row 3, column "racks_used": value "12.5" — '
                "expected a whole number ≥ 0 (not a whole number)",
            ],
        },
    ),
)


def test_a_quarantine_alert_lists_the_delivery_and_every_problem() -> None:
    lines = text(QUARANTINE_ALERT).splitlines()
    index = lines.index(
        "quarantined: compute_centres_2025.csv (sha256 0123456789ab), "
        "kept at /archive/compute_centres_2025.csv"
    )
    assert lines[index + 1 : index + 4] == [
        "  2 problems:",
        *(f"  - {problem}" for problem in QUARANTINE_ALERT.quarantined[0]["problems"]),
    ]
    assert lines[-1] == "run: http://127.0.0.1:3000/runs/run-1"
    payload = webhook_payload(QUARANTINE_ALERT)
    assert payload["quarantined"] == [dict(QUARANTINE_ALERT.quarantined[0])]
    assert payload["expectations"] == []


def test_an_observed_value_is_quoted_as_is() -> None:
    count = {"expectation": "expect_table_row_count_to_be_between", "observed": 0, "rows": []}
    assert "  observed: 0" in text(replace(ALERT, expectations=(count,))).splitlines()


def test_a_one_sided_bound_reads_as_such() -> None:
    share = {"expectation": "e", "column": "share", "bounds": {"max_value": 40}, "rows": []}
    assert (
        "expectation: e on share (allowed share ≤ 40)"
        in text(replace(ALERT, expectations=(share,))).splitlines()
    )


def test_recoveries_are_labelled_as_such() -> None:
    recovery = replace(ALERT, kind=Kind.CHECK_RECOVERED, title="check x passes again")
    assert subject(recovery) == "[suanli 恢复 RECOVERED] check x passes again"


def test_long_rows_are_shortened() -> None:
    row = {f"column_{i}": "x" * 100 for i in range(12)}
    line = format_row(row)
    assert line.endswith(", …") and line.count("=") == 10 and "x" * 61 not in line


def test_the_generic_payload_has_text_and_structured_fields() -> None:
    payload = webhook_payload(ALERT)
    assert payload["text"] == text(ALERT) and payload["subject"] == subject(ALERT)
    assert payload["asset"] == "raw/compute_centres" and payload["check"] == "gx_compute_centres"
    assert payload["expectations"][0]["rows"][0]["centre_id"] == "DC-110000-0001"
    assert payload["run_url"].endswith("/runs/run-1")
    assert webhook_payload(ALERT, "slack") == payload


def test_robot_payloads_use_their_envelopes() -> None:
    for flavour in ("wecom", "dingtalk"):
        assert webhook_payload(ALERT, flavour) == {
            "msgtype": "text",
            "text": {"content": text(ALERT)},
        }
    assert webhook_payload(ALERT, "feishu") == {
        "msg_type": "text",
        "content": {"text": text(ALERT)},
    }


def test_wecom_text_is_cut_to_2048_bytes_on_a_character_boundary() -> None:
    rows = [{"province": "内蒙古自治区" * 5, "centre_id": f"DC-{i}"} for i in range(200)]
    long = replace(ALERT, expectations=({**ALERT.expectations[0], "rows": rows},))
    content = webhook_payload(long, "wecom")["text"]["content"]
    assert len(content.encode("utf-8")) <= TEXT_LIMITS["wecom"] and content.endswith("…")
    assert truncate_utf8("算力", 4) == "…"  # never half a character


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown webhook format"):
        webhook_payload(ALERT, "teams")

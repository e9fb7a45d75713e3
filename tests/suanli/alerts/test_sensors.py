"""The sensors on a small code location in a real (temporary) Dagster instance: a raw source
whose WARN check runs the real GX suite code, delivered to real receivers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from dagster import (
    AssetCheckResult,
    AssetKey,
    Definitions,
    MaterializeResult,
    asset,
    asset_check,
    define_asset_job,
    instance_for_test,
)
from receivers import FAILING_PATH, Inbox, Webhook
from sensor_ticks import SensorTicks

from suanli.alerts.resource import AlertsResource
from suanli.alerts.sensors import (
    AlertDeliveryError,
    alert_on_asset_checks,
    alert_on_run_failure,
    alert_on_stale_sources,
)
from suanli.quality.checks import check_result
from suanli.quality.suites import load_suite, validate
from suanli.settings import EXPECTATIONS_DIR

# What the next toy run delivers: the PUE of its one centre, or an exception.
DELIVERY: dict[str, object] = {"pue": 1.3, "explode": False}
SOURCE = AssetKey(["raw", "toy_centres"])


def warn_suite(tmp_path: Path):
    """The compute-centre suite, every expectation downgraded to WARN (WARN never fails runs)."""
    definition = json.loads((EXPECTATIONS_DIR / "compute_centres.json").read_text("utf-8"))
    for expectation in definition["expectations"]:
        expectation["meta"]["severity"] = "WARN"
    path = tmp_path / "toy_centres.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    shutil.copy(EXPECTATIONS_DIR / "compute_centres.sql", path.with_suffix(".sql"))
    return load_suite(path)


def toy_definitions(tmp_path: Path) -> Definitions:
    suite = warn_suite(tmp_path)

    @asset(key=SOURCE, group_name="raw")
    def toy_centres() -> MaterializeResult:
        if DELIVERY["explode"]:
            raise RuntimeError("landing location unreachable")
        return MaterializeResult()

    @asset_check(asset=SOURCE, name="gx_toy_centres")
    def gx_toy_centres() -> AssetCheckResult:
        frame = pd.DataFrame(
            {
                "year": ["2025"],
                "centre_id": ["DC-TOY-1"],
                "province": ["河北省"],
                "file_name": ["toy_2025.csv"],
                "file_row": [2],
                "pue": [DELIVERY["pue"]],
                "rack_utilisation_pct": [70.0],
            }
        )
        return check_result(validate(suite, frame))

    return Definitions(
        assets=[toy_centres],
        asset_checks=[gx_toy_centres],
        jobs=[define_asset_job("toy_job")],
        sensors=[alert_on_run_failure, alert_on_asset_checks, alert_on_stale_sources],
        resources={"alerts": AlertsResource()},
    )


@pytest.fixture
def toy(tmp_path: Path, webhook: Webhook, inbox: Inbox, fresh_receivers) -> Iterator[SensorTicks]:
    freshness = tmp_path / "freshness.yml"
    freshness.write_text("default_days: 400\n", encoding="utf-8")
    alerts = AlertsResource(
        webhook_url=webhook.url,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_security="none",
        email_to=["data-team@example.cn"],
        freshness_file=str(freshness),
    )
    DELIVERY.update(pue=1.3, explode=False)
    with instance_for_test() as instance:
        yield SensorTicks(instance, toy_definitions(tmp_path), alerts)


def deliver(ticks: SensorTicks, pue: float = 1.3, explode: bool = False) -> str:
    DELIVERY.update(pue=pue, explode=explode)
    job = ticks.definitions.resolve_job_def("toy_job")
    return job.execute_in_process(instance=ticks.instance, raise_on_error=False).run_id


def kinds(webhook: Webhook) -> list[str]:
    return [payload["kind"] for payload in webhook.received]


def test_a_failing_warn_check_alerts_once_and_recovers_once(
    toy: SensorTicks, webhook: Webhook, inbox: Inbox
) -> None:
    deliver(toy)
    toy.tick(alert_on_asset_checks)
    assert webhook.received == []  # passing checks that never failed say nothing

    run_id = deliver(toy, pue=4.2)
    toy.tick(alert_on_asset_checks)
    (alert,) = webhook.received
    assert alert["kind"] == "check_failed" and alert["severity"] == "WARN"
    assert alert["check"] == "gx_toy_centres" and alert["asset"] == "raw/toy_centres"
    assert alert["expectations"][0]["rows"][0] == {
        "centre_id": "DC-TOY-1",
        "file_name": "toy_2025.csv",
        "file_row": 2,
        "province": "河北省",
        "pue": 4.2,
        "rack_utilisation_pct": 70.0,
        "year": "2025",
    }
    assert alert["run_url"] == f"http://127.0.0.1:3000/runs/{run_id}"
    assert inbox.messages[0]["Subject"] == alert["subject"]

    deliver(toy, pue=4.2)
    toy.tick(alert_on_asset_checks)
    toy.tick(alert_on_asset_checks)
    assert kinds(webhook) == ["check_failed"]  # the same failure again: nothing new

    deliver(toy)
    toy.tick(alert_on_asset_checks)
    deliver(toy)
    toy.tick(alert_on_asset_checks)
    assert kinds(webhook) == ["check_failed", "check_recovered"]
    assert len(inbox.envelopes) == 2


def test_nothing_is_sent_when_no_channel_is_configured(
    toy: SensorTicks, webhook: Webhook, inbox: Inbox
) -> None:
    configured = toy.alerts
    toy.alerts = AlertsResource()
    deliver(toy, pue=4.2)
    result = toy.tick(alert_on_asset_checks)
    assert "no alert channel configured" in (result.skip_message or "")
    assert webhook.received == [] and inbox.envelopes == []
    # the evaluations were read: configuring a channel later does not replay them
    toy.alerts = configured
    toy.tick(alert_on_asset_checks)
    assert webhook.received == []


def test_an_alert_no_channel_took_is_retried_on_the_next_tick(
    toy: SensorTicks, webhook: Webhook
) -> None:
    working = toy.alerts
    toy.alerts = AlertsResource(webhook_url=f"{webhook.base_url}{FAILING_PATH}")
    deliver(toy, pue=4.2)
    with pytest.raises(AlertDeliveryError, match="no channel took"):
        toy.tick(alert_on_asset_checks)
    toy.alerts = working
    toy.tick(alert_on_asset_checks)
    toy.tick(alert_on_asset_checks)
    assert kinds(webhook) == ["check_failed"]


def test_a_failed_run_alerts_with_its_failed_step_and_link(
    toy: SensorTicks, webhook: Webhook
) -> None:
    toy.tick(alert_on_run_failure)  # the first tick only places the cursor
    run_id = deliver(toy, explode=True)
    toy.tick(alert_on_run_failure)
    (alert,) = webhook.received
    assert alert["kind"] == "run_failed" and alert["title"] == "run of toy_job failed"
    assert alert["run_url"].endswith(f"/runs/{run_id}")
    assert any(
        "raw__toy_centres" in line and "landing location unreachable" in line
        for line in alert["details"]
    )
    deliver(toy, explode=True)
    toy.tick(alert_on_run_failure)
    assert kinds(webhook) == ["run_failed"]  # same job, same step: told once per window


def test_a_source_never_materialised_is_stale_until_it_is(
    toy: SensorTicks, webhook: Webhook
) -> None:
    toy.tick(alert_on_stale_sources)
    (stale,) = webhook.received
    assert stale["kind"] == "source_stale" and stale["asset"] == "raw/toy_centres"
    assert "never materialised" in stale["title"]
    toy.tick(alert_on_stale_sources)
    deliver(toy)
    toy.tick(alert_on_stale_sources)
    assert kinds(webhook) == ["source_stale", "source_fresh"]


def test_the_code_location_runs_the_three_alert_sensors_by_default() -> None:
    from dagster import DefaultSensorStatus

    from suanli.definitions import defs

    sensors = {sensor.name: sensor for sensor in defs.get_repository_def().sensor_defs}
    assert set(sensors) >= {
        "alert_on_run_failure",
        "alert_on_asset_checks",
        "alert_on_stale_sources",
    }
    assert all(
        sensors[name].default_status is DefaultSensorStatus.RUNNING
        for name in ("alert_on_run_failure", "alert_on_asset_checks", "alert_on_stale_sources")
    )
    assert isinstance(defs.resources["alerts"], AlertsResource)

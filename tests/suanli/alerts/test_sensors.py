"""The sensors on a small code location in a real (temporary) Dagster instance: a raw source
whose WARN check runs the real GX suite code, delivered to real receivers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from email.message import EmailMessage
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

from suanli.alerts.model import AUDIENCE, METHOD
from suanli.alerts.resource import AlertsResource
from suanli.alerts.sensors import (
    AlertDeliveryError,
    alert_on_asset_checks,
    alert_on_run_failure,
    alert_on_stale_sources,
)
from suanli.quality.checks import check_result
from suanli.quality.coherence import NEGATIVE, Finding, coherence_result
from suanli.quality.suites import load_suite, validate
from suanli.settings import EXPECTATIONS_DIR

# What the next toy run delivers: the PUE of its one centre, or an exception; and whether the
# toy index definition is coherent.
DELIVERY: dict[str, object] = {"pue": 1.3, "explode": False, "coherent": True}
SOURCE = AssetKey(["raw", "toy_centres"])
DATA_TEAM, METHOD_OWNERS = "data-team@example.cn", "method-owners@example.cn"
NEGATIVE_PAIR = Finding("toy", 2025, "province", "environment", NEGATIVE, "a", "b", -0.41)


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

    # A check on the method (the real coherence result), for the method's owners.
    @asset_check(asset=SOURCE, name="toy_coherence", metadata={AUDIENCE: METHOD})
    def toy_coherence() -> AssetCheckResult:
        return coherence_result([] if DELIVERY["coherent"] else [NEGATIVE_PAIR])

    return Definitions(
        assets=[toy_centres],
        asset_checks=[gx_toy_centres, toy_coherence],
        jobs=[define_asset_job("toy_job")],
        sensors=[alert_on_run_failure, alert_on_asset_checks, alert_on_stale_sources],
        resources={"alerts": AlertsResource()},
    )


@pytest.fixture
def toy(tmp_path: Path, webhook: Webhook, inbox: Inbox, fresh_receivers) -> Iterator[SensorTicks]:
    freshness = tmp_path / "freshness.yml"
    freshness.write_text("default_days: 400\n", encoding="utf-8")
    alerts = receiving(webhook, inbox, freshness_file=str(freshness))
    DELIVERY.update(pue=1.3, explode=False, coherent=True)
    with instance_for_test() as instance:
        yield SensorTicks(instance, toy_definitions(tmp_path), alerts)


def receiving(webhook: Webhook, inbox: Inbox, **fields: object) -> AlertsResource:
    """Alerts to the data team's webhook and e-mail on 127.0.0.1 (and whatever `fields` add)."""
    return AlertsResource(
        webhook_url=webhook.url,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_security="none",
        email_to=[DATA_TEAM],
        **fields,
    )


def deliver(
    ticks: SensorTicks, pue: float = 1.3, explode: bool = False, coherent: bool = True
) -> str:
    DELIVERY.update(pue=pue, explode=explode, coherent=coherent)
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


def latest_by_recipients(inbox: Inbox) -> dict[tuple[str, ...], EmailMessage]:
    """The last message each set of recipients received."""
    pairs = zip(inbox.envelopes, inbox.messages, strict=True)
    return {tuple(envelope.rcpt_tos): message for envelope, message in pairs}


def test_a_method_check_reaches_the_method_list_and_not_the_data_team(
    toy: SensorTicks, webhook: Webhook, inbox: Inbox
) -> None:
    toy.alerts = receiving(webhook, inbox, method_email_to=[METHOD_OWNERS])
    deliver(toy, pue=4.2, coherent=False)  # a bad delivery and an incoherent definition
    toy.tick(alert_on_asset_checks)
    # the data team hears of the delivery only, on both of its channels …
    assert [(post["check"], post["audience"]) for post in webhook.received] == [
        ("gx_toy_centres", "data")
    ]
    sent = latest_by_recipients(inbox)
    assert set(sent) == {(DATA_TEAM,), (METHOD_OWNERS,)}
    assert "gx_toy_centres" in sent[(DATA_TEAM,)]["Subject"]
    # … the method's owners of the definition, with the pair and its figure
    method = sent[(METHOD_OWNERS,)]
    assert "toy_coherence" in method["Subject"] and "WARN" in method["Subject"]
    body = method.get_content()
    assert "toy 2025 province environment: a ↔ b r = −0.41 (negative with a sibling)" in body
    assert "index definition" in body

    deliver(toy, coherent=True)
    toy.tick(alert_on_asset_checks)
    assert len(inbox.envelopes) == 4  # both recoveries, each to its own audience
    assert [post["check"] for post in webhook.received] == ["gx_toy_centres"] * 2
    recovered = latest_by_recipients(inbox)[(METHOD_OWNERS,)]["Subject"]
    assert "toy_coherence" in recovered and "passes again" in recovered


def test_without_a_method_list_a_method_check_alerts_nobody(
    toy: SensorTicks, webhook: Webhook, inbox: Inbox
) -> None:
    deliver(toy, coherent=False)
    toy.tick(alert_on_asset_checks)  # no error: no channel was owed this alert
    assert webhook.received == [] and inbox.envelopes == []
    # a list configured later hears of the next evaluation: nothing was marked as told
    toy.alerts = receiving(webhook, inbox, method_email_to=[METHOD_OWNERS])
    deliver(toy, coherent=False)
    toy.tick(alert_on_asset_checks)
    assert webhook.received == []
    assert [envelope.rcpt_tos for envelope in inbox.envelopes] == [[METHOD_OWNERS]]


def test_only_a_method_list_is_a_configured_channel(
    toy: SensorTicks, webhook: Webhook, inbox: Inbox
) -> None:
    toy.alerts = AlertsResource(
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_security="none",
        method_email_to=[METHOD_OWNERS],
    )
    deliver(toy, pue=4.2, coherent=False)
    toy.tick(alert_on_asset_checks)
    assert webhook.received == []
    assert [envelope.rcpt_tos for envelope in inbox.envelopes] == [[METHOD_OWNERS]]


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

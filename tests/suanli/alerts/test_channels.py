"""Channels deliver to real receivers on 127.0.0.1, and fail loudly but without leaking secrets."""

from __future__ import annotations

import pytest
from receivers import FAILING_PATH, REFUSING_PATH, Inbox, Webhook, free_port

from suanli.alerts.channels import DeliveryError, EmailChannel, WebhookChannel, dispatch
from suanli.alerts.messages import subject, text
from suanli.alerts.model import Alert, Kind

ALERT = Alert(
    kind=Kind.CHECK_FAILED,
    key="check:raw/compute_centres:gx_compute_centres",
    title="ERROR check gx_compute_centres failed on raw/compute_centres (2025)",
    severity="ERROR",
    asset="raw/compute_centres",
    check="gx_compute_centres",
    run_url="http://127.0.0.1:3000/runs/run-1",
    expectations=(
        {
            "expectation": "expect_column_values_to_be_between",
            "column": "pue",
            "rows": [{"centre_id": "DC-110000-0001", "province": "北京市", "pue": 5.0}],
        },
    ),
)
PASSWORD = "s3cret-pa55"


def email(inbox: Inbox, **overrides) -> EmailChannel:
    settings = {
        "host": "127.0.0.1",
        "port": inbox.port,
        "sender": "suanli@example.cn",
        "recipients": ("data-team@example.cn", "oncall@example.cn"),
        "security": "none",
    }
    return EmailChannel(**(settings | overrides))


def test_the_webhook_posts_utf8_json(webhook: Webhook, fresh_receivers) -> None:
    WebhookChannel(webhook.url).send(ALERT)
    (payload,) = webhook.received
    assert payload["text"] == text(ALERT) and "北京市" in payload["text"]
    assert payload["check"] == "gx_compute_centres"
    assert webhook.headers[0]["Content-Type"] == "application/json; charset=utf-8"


def test_an_http_error_is_a_delivery_error_that_hides_the_url(webhook: Webhook) -> None:
    channel = WebhookChannel(f"{webhook.base_url}{FAILING_PATH}?key=robot-secret-key")
    with pytest.raises(DeliveryError, match="HTTP 500") as raised:
        channel.send(ALERT)
    assert "robot-secret-key" not in str(raised.value)
    assert "robot-secret-key" not in repr(channel)


def test_a_robot_refusal_with_http_200_is_a_delivery_error(webhook: Webhook) -> None:
    channel = WebhookChannel(f"{webhook.base_url}{REFUSING_PATH}", flavour="wecom")
    with pytest.raises(DeliveryError, match="refused with code 93000 invalid webhook url"):
        channel.send(ALERT)


def test_an_unreachable_webhook_is_a_delivery_error() -> None:
    with pytest.raises(DeliveryError, match="webhook: URLError"):
        WebhookChannel(f"http://127.0.0.1:{free_port()}/hook", timeout=2).send(ALERT)


def test_the_email_has_a_utf8_subject_and_body(inbox: Inbox, fresh_receivers) -> None:
    email(inbox).send(ALERT)
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "suanli@example.cn"
    assert envelope.rcpt_tos == ["data-team@example.cn", "oncall@example.cn"]
    (message,) = inbox.messages
    assert message["Subject"] == subject(ALERT) == f"[suanli 告警 ALERT] {ALERT.title}"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().splitlines() == text(ALERT).splitlines()  # CRLF on the wire


def test_credentials_never_travel_without_tls(inbox: Inbox, fresh_receivers) -> None:
    channel = email(inbox, user="alerts", password=PASSWORD, security="auto")
    with pytest.raises(DeliveryError, match="offers no TLS") as raised:
        channel.send(ALERT)
    assert inbox.envelopes == []
    assert PASSWORD not in str(raised.value) and PASSWORD not in repr(channel)


def test_dispatch_reports_failing_channels_and_still_uses_the_others(
    webhook: Webhook, inbox: Inbox, fresh_receivers
) -> None:
    channels = [
        WebhookChannel(f"{webhook.base_url}{FAILING_PATH}"),
        email(inbox),
    ]
    assert dispatch(ALERT, channels) == ["webhook: HTTP 500 Internal Server Error"]
    assert len(inbox.envelopes) == 1

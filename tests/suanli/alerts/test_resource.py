"""AlertsResource comes from SUANLI_ALERT_* variables; nothing set means no channel at all."""

from __future__ import annotations

from pathlib import Path

from dagster import EnvVar

from suanli.alerts.channels import EmailChannel, WebhookChannel
from suanli.alerts.resource import AlertsResource

ENV = {
    "SUANLI_ALERT_WEBHOOK_URL": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET",
    "SUANLI_ALERT_WEBHOOK_FORMAT": "wecom",
    "SUANLI_ALERT_SMTP_HOST": "smtp.example.cn",
    "SUANLI_ALERT_SMTP_PORT": "465",
    "SUANLI_ALERT_SMTP_USER": "alerts",
    "SUANLI_ALERT_SMTP_PASSWORD": "hunter2-pw",
    "SUANLI_ALERT_EMAIL_FROM": "suanli@example.cn",
    "SUANLI_ALERT_EMAIL_TO": "a@example.cn; b@example.cn,",
    "SUANLI_ALERT_DEDUP_MINUTES": "90",
    "SUANLI_DAGSTER_URL": "https://dagster.example.cn",
}


def test_nothing_configured_means_no_channel() -> None:
    assert AlertsResource.from_env({}).channels() == []
    # an SMTP host without recipients is not a channel either
    assert AlertsResource.from_env({"SUANLI_ALERT_SMTP_HOST": "smtp.example.cn"}).channels() == []


def test_settings_are_read_from_the_environment() -> None:
    resource = AlertsResource.from_env(ENV)
    assert resource.webhook_format == "wecom" and resource.smtp_port == 465
    assert resource.email_to == ["a@example.cn", "b@example.cn"]
    assert resource.window_seconds == 90 * 60
    assert resource.dagster_url == "https://dagster.example.cn"


def test_secrets_are_bound_to_their_variables_not_copied() -> None:
    resource = AlertsResource.from_env(ENV)
    for field, variable in [
        ("webhook_url", "SUANLI_ALERT_WEBHOOK_URL"),
        ("smtp_user", "SUANLI_ALERT_SMTP_USER"),
        ("smtp_password", "SUANLI_ALERT_SMTP_PASSWORD"),
    ]:
        value = getattr(resource, field)
        assert isinstance(value, EnvVar) and value == variable
    assert "SECRET" not in repr(resource) and "hunter2-pw" not in repr(resource)


def test_channels_follow_the_configuration() -> None:
    resource = AlertsResource(
        webhook_url="http://127.0.0.1:1/hook",
        smtp_host="smtp.example.cn",
        email_to=["a@example.cn"],
    )
    webhook, email = resource.channels()
    assert isinstance(webhook, WebhookChannel) and webhook.flavour == "generic"
    assert isinstance(email, EmailChannel) and email.recipients == ("a@example.cn",)


def test_method_alerts_have_their_own_list_and_only_it() -> None:
    data_only = AlertsResource.from_env(ENV)
    assert data_only.method_email_to == [] and data_only.channels("method") == []
    assert data_only.audiences() == ["data"]
    both = AlertsResource.from_env({**ENV, "SUANLI_ALERT_METHOD_EMAIL_TO": "m@example.cn"})
    (email,) = both.channels("method")  # e-mail only: the webhook is the data team's robot
    assert isinstance(email, EmailChannel) and email.recipients == ("m@example.cn",)
    assert both.audiences() == ["data", "method"]
    # the data team's channels do not include the method list
    assert all("m@example.cn" not in getattr(c, "recipients", ()) for c in both.channels())


def test_the_state_file_lives_in_dagster_home_unless_configured(tmp_path: Path) -> None:
    assert AlertsResource().state_file(str(tmp_path)) == tmp_path / "suanli_alerts.sqlite"
    configured = AlertsResource(state_path=str(tmp_path / "elsewhere.sqlite"))
    assert configured.state_file("/unused") == tmp_path / "elsewhere.sqlite"

"""`AlertsResource`: channels, recipients and dedup window, configured from the environment.

Nothing configured means no channel: the sensors then send nothing. The webhook URL (it embeds
the robot's key) and the SMTP user and password are bound as Dagster `EnvVar`s, so the UI and
the run config show the variable's name, never its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from suanli.alerts.channels import Channel, EmailChannel, WebhookChannel
from suanli.alerts.freshness import DEFAULT_FILE
from suanli.alerts.model import AUDIENCES, DATA, METHOD
from suanli.alerts.state import FILE_NAME
from suanli.settings import ALERTS_FIELDS, resolve_from_repo

DEFAULT_DAGSTER_URL = "http://127.0.0.1:3000"


def addresses(value: str) -> list[str]:
    return [address.strip() for address in value.replace(";", ",").split(",") if address.strip()]


PARSERS: dict[str, Callable[[str], object]] = {
    "smtp_port": int,
    "dedup_window_minutes": float,
    "email_to": addresses,
    "method_email_to": addresses,
}


class AlertsResource(ConfigurableResource):
    """Where alerts go and how often the same one may be repeated."""

    dagster_url: str = Field(
        default=DEFAULT_DAGSTER_URL, description="Base URL of the Dagster UI, for run links."
    )
    webhook_url: str = Field(default="", description="JSON webhook; empty = no webhook.")
    webhook_format: str = Field(
        default="generic", description="generic (Slack too), wecom, dingtalk or feishu."
    )
    smtp_host: str = Field(default="", description="SMTP server; empty = no e-mail.")
    smtp_port: int = 25
    smtp_security: str = Field(
        default="auto", description="auto (SSL on 465, STARTTLS if offered), ssl, starttls, none."
    )
    smtp_user: str = ""
    smtp_password: str = ""
    email_from: str = "suanli-alerts@localhost"
    email_to: list[str] = Field(default_factory=list)
    method_email_to: list[str] = Field(
        default_factory=list,
        description="Who hears of the checks on the index definition (audience method); "
        "empty = nobody. Never the webhook nor email_to: the data team's channels.",
    )
    dedup_window_minutes: float = Field(
        default=24 * 60, description="The same failure is not announced again within this."
    )
    state_path: str = Field(
        default="", description=f"Dedup state file; empty = DAGSTER_HOME/{FILE_NAME}."
    )
    freshness_file: str = Field(
        default=DEFAULT_FILE, description="YAML of freshness windows per source."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertsResource:
        """Plain settings are read now; secrets are bound to their variables (`EnvVar`),
        which Dagster resolves from the process environment when the resource is used (the
        variables: `suanli.settings.ALERTS_FIELDS`)."""
        config: dict[str, object] = {}
        for name, setting in ALERTS_FIELDS.items():
            if setting.secret:
                if setting.raw(environ):
                    config[name] = setting.env_var()
            elif value := setting.raw(environ).strip():
                config[name] = PARSERS.get(name, str)(value)
        return cls(**config)

    def channels(self, audience: str = DATA) -> list[Channel]:
        """The data team's channels (webhook, email_to), or the method's owners' (their list)."""
        if audience == METHOD:
            return self._email(self.method_email_to)
        channels: list[Channel] = []
        if self.webhook_url:
            channels.append(WebhookChannel(self.webhook_url, self.webhook_format))
        return channels + self._email(self.email_to)

    def audiences(self) -> list[str]:
        """The audiences someone listens for: alerts for the others are not planned."""
        return [audience for audience in AUDIENCES if self.channels(audience)]

    def _email(self, recipients: list[str]) -> list[Channel]:
        if not (self.smtp_host and recipients):
            return []
        return [
            EmailChannel(
                host=self.smtp_host,
                port=self.smtp_port,
                sender=self.email_from,
                recipients=tuple(recipients),
                user=self.smtp_user,
                password=self.smtp_password,
                security=self.smtp_security,
            )
        ]

    @property
    def window_seconds(self) -> float:
        return self.dedup_window_minutes * 60

    def state_file(self, dagster_home: str) -> Path:
        if self.state_path:
            return resolve_from_repo(self.state_path)
        return Path(dagster_home) / FILE_NAME

    def freshness_path(self) -> Path:
        return resolve_from_repo(self.freshness_file)

"""Where alerts go: a JSON webhook and SMTP e-mail (stdlib only).

Errors name the channel and what went wrong, never the webhook URL (it usually embeds the
robot's key) nor the SMTP credentials.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from suanli.alerts import messages
from suanli.alerts.model import Alert

TIMEOUT_SECONDS = 10.0
SMTP_SECURITY = ("auto", "ssl", "starttls", "none")


class DeliveryError(Exception):
    """An alert could not be handed to a channel."""


class Channel(Protocol):
    name: str

    def send(self, alert: Alert) -> None: ...


@dataclass(frozen=True)
class WebhookChannel:
    url: str = field(repr=False)
    flavour: str = "generic"
    timeout: float = TIMEOUT_SECONDS
    name: str = "webhook"

    def send(self, alert: Alert) -> None:
        body = json.dumps(messages.webhook_payload(alert, self.flavour), ensure_ascii=False)
        request = urllib.request.Request(
            self.url,
            data=body.encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = response.read()
        except urllib.error.HTTPError as error:
            raise DeliveryError(f"webhook: HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = redact(str(getattr(error, "reason", error)), (self.url,))
            raise DeliveryError(f"webhook: {type(error).__name__}: {reason}") from None
        _raise_for_robot_error(reply)


def _raise_for_robot_error(reply: bytes) -> None:
    """企业微信/钉钉 answer HTTP 200 with `errcode`, 飞书 with `code`: non-zero is a refusal."""
    try:
        answer = json.loads(reply or b"null")
    except ValueError:
        return
    if isinstance(answer, dict):
        code = answer.get("errcode", answer.get("code", 0))
        if code not in (0, None):
            detail = answer.get("errmsg") or answer.get("msg") or ""
            raise DeliveryError(f"webhook: refused with code {code} {detail}".rstrip())


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    security: str = "auto"
    timeout: float = TIMEOUT_SECONDS
    name: str = "email"

    def message(self, alert: Alert) -> EmailMessage:
        email = EmailMessage()
        email["Subject"] = messages.subject(alert)  # non-ASCII: RFC 2047 encoded-words
        email["From"] = self.sender
        email["To"] = ", ".join(self.recipients)
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain="suanli")
        email.set_content(messages.text(alert), charset="utf-8")
        return email

    def send(self, alert: Alert) -> None:
        if self.security not in SMTP_SECURITY:
            raise DeliveryError(f"email: unknown SMTP security {self.security!r}")
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(self.message(alert))
        except DeliveryError:
            raise
        except (smtplib.SMTPException, OSError) as error:
            reason = redact(_smtp_reason(error), (self.user, self.password))
            raise DeliveryError(f"email: {type(error).__name__}: {reason}") from None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "ssl" or (self.security == "auto" and self.port == 465):
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        smtp.ehlo()
        if self.security == "starttls" or (self.security == "auto" and smtp.has_extn("starttls")):
            smtp.starttls(context=context)
            smtp.ehlo()
        elif self.user:
            smtp.quit()
            # Credentials never travel in clear text.
            raise DeliveryError("email: server offers no TLS, refusing to log in")
        return smtp


def redact(message: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message


def _smtp_reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        reply = reply.decode("utf-8", errors="replace") if isinstance(reply, bytes) else reply
        return f"{error.smtp_code} {reply}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"recipients refused: {', '.join(error.recipients)}"
    return str(error)


def dispatch(alert: Alert, channels: Sequence[Channel]) -> list[str]:
    """Send to every channel; return the errors (an empty list means every channel took it)."""
    errors = []
    for channel in channels:
        try:
            channel.send(alert)
        except DeliveryError as error:
            errors.append(str(error))
    return errors

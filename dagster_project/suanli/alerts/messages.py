"""How an alert reads: one plain text for people, structured fields for machines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suanli.alerts.model import Alert

# Webhook body shapes. `generic` (also Slack's incoming webhooks) carries `text` plus every
# structured field; the Chinese IM robots only accept their own envelope around the text.
FLAVOURS = ("generic", "slack", "wecom", "dingtalk", "feishu")
# Longest text each robot accepts, in UTF-8 bytes (企业微信 text messages: 2048 bytes).
TEXT_LIMITS = {"wecom": 2048, "dingtalk": 20000, "feishu": 30000}
ROW_FIELDS = 10
VALUE_WIDTH = 60


def label(alert: Alert) -> str:
    return "恢复 RECOVERED" if alert.kind.is_recovery else "告警 ALERT"


def subject(alert: Alert) -> str:
    return f"[suanli {label(alert)}] {alert.title}"


def _value(value: Any) -> str:
    if isinstance(value, float):
        text = f"{value:.6g}"
        text += ".0" if text.lstrip("-").isdigit() else ""  # 5.0 stays visibly a float
    else:
        text = str(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def format_row(row: Mapping[str, Any]) -> str:
    fields = [f"{key}={_value(value)}" for key, value in list(row.items())[:ROW_FIELDS]]
    return ", ".join(fields) + (", …" if len(row) > ROW_FIELDS else "")


def _allowed(expectation: Mapping[str, Any]) -> str:
    """`allowed 1.0 ≤ pue ≤ 3.0`, from the expectation's min_value and max_value."""
    bounds = expectation.get("bounds") or {}
    low, high = bounds.get("min_value"), bounds.get("max_value")
    if low is None and high is None:
        return ""
    middle = expectation.get("column") or "value"
    low_text = f"{_value(low)} ≤ " if low is not None else ""
    high_text = f" ≤ {_value(high)}" if high is not None else ""
    return f"allowed {low_text}{middle}{high_text}"


def _observed(expectation: Mapping[str, Any]) -> str:
    if expectation.get("observed") is not None:
        return _value(expectation["observed"])
    count = expectation.get("unexpected_count")
    return f"{count} unexpected value{'s' if count != 1 else ''}" if count is not None else "-"


def expectation_lines(expectation: Mapping[str, Any]) -> list[str]:
    on = f" on {expectation['column']}" if expectation.get("column") else ""
    qualifiers = [q for q in (expectation.get("severity"), _allowed(expectation)) if q]
    lines = [
        f"expectation: {expectation.get('expectation')}{on}"
        + (f" ({'; '.join(qualifiers)})" if qualifiers else ""),
        f"  observed: {_observed(expectation)}",
    ]
    rows = expectation.get("rows") or []
    if rows:
        lines.append("  offending rows:")
        lines.extend(f"  - {format_row(row)}" for row in rows)
    return lines


def quarantine_lines(delivery: Mapping[str, Any]) -> list[str]:
    """`quarantined: FILE (sha256 …), kept at PATH`, then every problem line of the delivery."""
    sha256, kept = delivery.get("sha256"), delivery.get("archived_path")
    problems = delivery.get("problems") or []
    return [
        f"quarantined: {delivery.get('file')}"
        + (f" (sha256 {sha256[:12]})" if sha256 else "")
        + (f", kept at {kept}" if kept else ""),
        f"  {len(problems)} problem{'s' if len(problems) != 1 else ''}:",
        *(f"  - {problem}" for problem in problems),
    ]


def text(alert: Alert) -> str:
    lines = [subject(alert)]
    for name, value in (
        ("asset", alert.asset),
        ("partition", alert.partition),
        ("check", alert.check),
    ):
        if value:
            lines.append(f"{name}: {value}")
    for expectation in alert.expectations:
        lines.extend(expectation_lines(expectation))
    for delivery in alert.quarantined:
        lines.extend(quarantine_lines(delivery))
    lines.extend(alert.details)
    for name, value in (
        ("run", alert.run_url),
        ("asset page", alert.asset_url),
        ("data docs", alert.data_docs),
    ):
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def truncate_utf8(message: str, limit: int) -> str:
    encoded = message.encode("utf-8")
    if len(encoded) <= limit:
        return message
    return encoded[: limit - len("…".encode())].decode("utf-8", errors="ignore") + "…"


def webhook_payload(alert: Alert, flavour: str = "generic") -> dict[str, Any]:
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown webhook format {flavour!r}; expected one of {FLAVOURS}")
    body = text(alert)
    if flavour in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": truncate_utf8(body, TEXT_LIMITS[flavour])}}
    if flavour == "feishu":
        return {"msg_type": "text", "content": {"text": truncate_utf8(body, TEXT_LIMITS[flavour])}}
    return {"text": body, "subject": subject(alert), **alert.as_dict()}

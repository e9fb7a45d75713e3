"""Alerts: tell engineers about failed runs, failed checks and stale sources, once.

- `model`: what happened (check evaluations, run failures, source freshness) and the alerts;
- `rules`: pure decisions, which events deserve which alert, with deduplication and recovery;
- `messages`: the text, e-mail subject and webhook payloads of an alert;
- `channels`: JSON webhook and SMTP e-mail;
- `state`: the small SQLite file that remembers what was sent;
- `freshness`: the expected freshness window of each source;
- `events`: reading Dagster's events into the model;
- `resource`: `AlertsResource`, configured from `SUANLI_ALERT_*` variables.

The Dagster sensors that glue them together are in `suanli.alerts.sensors`.
"""

"""Sensors that turn failed runs, failed checks and stale sources into alerts.

They stay thin: read events (`alerts.events`), decide (`alerts.rules`), deliver
(`alerts.channels`), remember (`alerts.state`). With no channel configured they send nothing.
They start running with the daemon (`dagster dev`, `dagster-daemon run`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from suanli.alerts import events, rules
from suanli.alerts.channels import dispatch
from suanli.alerts.freshness import load_windows
from suanli.alerts.model import Outgoing, SourceFreshness
from suanli.alerts.resource import AlertsResource
from suanli.alerts.state import AlertStateStore

NOT_CONFIGURED = "no alert channel configured (SUANLI_ALERT_WEBHOOK_URL, SUANLI_ALERT_SMTP_HOST)"
RAW_GROUP = "raw"


class AlertDeliveryError(Exception):
    """No channel accepted an alert: the tick fails, and its events are read again next tick."""


def deliver(
    context: SensorEvaluationContext | RunFailureSensorContext,
    alerts: AlertsResource,
    store: AlertStateStore,
    outgoing: Sequence[Outgoing],
) -> int:
    """Send each alert to its audience's channels; remember it once some channel took it.
    Returns the number delivered."""
    undelivered = []
    for item in outgoing:
        channels = alerts.channels(item.alert.audience)
        errors = dispatch(item.alert, channels)
        for error in errors:
            context.log.warning(f"{item.alert.title}: {error}")
        if len(errors) == len(channels):
            undelivered.append(item.alert.title)
            continue
        store.save(item.alert.key, item.state)
        context.log.info(f"alert sent: {item.alert.title}")
    if undelivered:
        # Already-delivered alerts are remembered, so re-reading the events does not repeat them.
        raise AlertDeliveryError(f"no channel took: {'; '.join(undelivered)}")
    return len(outgoing)


def _store(context: SensorEvaluationContext | RunFailureSensorContext, alerts: AlertsResource):
    return AlertStateStore(alerts.state_file(context.instance.root_directory))


@run_failure_sensor(
    name="alert_on_run_failure",
    description="Alerts when a run fails (the same job failing the same way is told once "
    "per dedup window).",
    # Runs launched by `python -m suanli.cli` (execute_in_process) carry no code-location
    # origin: only this setting makes the sensor see them.
    monitor_all_code_locations=True,
    default_status=DefaultSensorStatus.RUNNING,
)
def alert_on_run_failure(context: RunFailureSensorContext, alerts: AlertsResource) -> None:
    if not alerts.channels():
        return None
    failure = events.run_failure(
        context.dagster_run, context.failure_event, context.get_step_failure_events()
    )
    store = _store(context, alerts)
    outgoing = rules.plan_run_failure_alert(
        failure,
        store.load([failure.key]).get(failure.key),
        time.time(),
        alerts.window_seconds,
        alerts.dagster_url,
    )
    deliver(context, alerts, store, [outgoing] if outgoing else [])
    return None


@sensor(
    name="alert_on_asset_checks",
    description="Alerts on failed asset checks, WARN ones included (they do not fail runs), "
    "and once on recovery; checks on the index definition (audience method) go to "
    "SUANLI_ALERT_METHOD_EMAIL_TO only.",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
)
def alert_on_asset_checks(context: SensorEvaluationContext, alerts: AlertsResource) -> SkipReason:
    assert context.repository_def is not None, "evaluate with the code location's definitions"
    check_keys = context.repository_def.asset_graph.asset_check_keys
    records, cursor = events.new_check_records(
        context.instance.event_log_storage, check_keys, json.loads(context.cursor or "{}")
    )
    audiences = alerts.audiences()
    if not audiences:
        context.update_cursor(json.dumps(cursor, sort_keys=True))
        return SkipReason(NOT_CONFIGURED)
    graph = context.repository_def.asset_graph
    tags_by_run: dict[str, dict[str, str]] = {}
    evaluations = []
    for record in records:
        if record.run_id not in tags_by_run:
            run = context.instance.get_run_by_id(record.run_id)
            tags_by_run[record.run_id] = dict(run.tags) if run else {}
        audience = events.check_audience(graph.get_check_spec(record.key))
        evaluations.append(events.check_evaluation(record, tags_by_run[record.run_id], audience))
    store = _store(context, alerts)
    outgoing = rules.plan_check_alerts(
        evaluations,
        store.load(evaluation.key for evaluation in evaluations),
        time.time(),
        alerts.window_seconds,
        alerts.dagster_url,
        audiences,
    )
    sent = deliver(context, alerts, store, outgoing)
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    return SkipReason(f"{len(evaluations)} new check evaluations, {sent} alerts sent")


def raw_source_keys(context: SensorEvaluationContext) -> list[AssetKey]:
    assert context.repository_def is not None, "evaluate with the code location's definitions"
    graph = context.repository_def.asset_graph
    return sorted(
        (
            key
            for key in graph.get_all_asset_keys()
            if graph.get(key).group_name == RAW_GROUP and graph.get(key).is_materializable
        ),
        key=lambda key: key.to_user_string(),
    )


@sensor(
    name="alert_on_stale_sources",
    description="Alerts when a raw source has not been materialised within its freshness "
    "window (config/freshness.yml), and once when it is fresh again.",
    minimum_interval_seconds=3600,
    default_status=DefaultSensorStatus.RUNNING,
)
def alert_on_stale_sources(context: SensorEvaluationContext, alerts: AlertsResource) -> SkipReason:
    if not alerts.channels():
        return SkipReason(NOT_CONFIGURED)
    windows = load_windows(alerts.freshness_path())
    sources = []
    for key in raw_source_keys(context):
        latest = context.instance.get_latest_materialization_event(key)
        sources.append(
            SourceFreshness(
                asset=key.to_user_string(),
                window_days=windows.days_for(key.path[-1]),
                last_materialised=latest.timestamp if latest else None,
            )
        )
    store = _store(context, alerts)
    outgoing = rules.plan_freshness_alerts(
        sources,
        store.load(source.key for source in sources),
        time.time(),
        alerts.window_seconds,
        alerts.dagster_url,
    )
    sent = deliver(context, alerts, store, outgoing)
    return SkipReason(f"{len(sources)} sources looked at, {sent} alerts sent")


alert_sensors = [alert_on_run_failure, alert_on_asset_checks, alert_on_stale_sources]

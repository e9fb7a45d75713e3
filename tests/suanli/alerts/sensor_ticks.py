"""Evaluate sensors the way the daemon does: one tick at a time, the cursor carried over."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import DagsterInstance, Definitions, SensorDefinition, build_sensor_context
from dagster._core.definitions.sensor_definition import SensorExecutionData

from suanli.alerts.resource import AlertsResource


@dataclass
class SensorTicks:
    instance: DagsterInstance
    definitions: Definitions
    alerts: AlertsResource
    cursors: dict[str, str | None] = field(default_factory=dict)

    def tick(self, sensor: SensorDefinition) -> SensorExecutionData:
        context = build_sensor_context(
            instance=self.instance,
            cursor=self.cursors.get(sensor.name),
            definitions=self.definitions,
            resources={"alerts": self.alerts},
        )
        result = sensor.evaluate_tick(context)
        # Run status sensors report their own errors as reactions, not exceptions.
        for reaction in result.dagster_run_reactions or []:
            assert reaction.error is None, reaction.error.to_string()
        self.cursors[sensor.name] = result.cursor
        return result

    def tick_all(self, sensors: list[SensorDefinition]) -> None:
        for sensor in sensors:
            self.tick(sensor)

"""The suanli code location, assembled from the domain packages: intake (raw assets, landing
sensor and resource), index, transform (dbt), quality (GX checks), publish, report and alerts,
with the warehouse resource and the job that runs it all. Settings come from `suanli.settings`."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    Definitions,
    define_asset_job,
    in_process_executor,
)

from suanli import settings
from suanli.alerts.resource import AlertsResource
from suanli.alerts.sensors import alert_sensors
from suanli.dagster_storage import tune_event_log
from suanli.index.assets import index_definitions
from suanli.intake.assets import build_raw_assets, deliveries_log
from suanli.intake.catalog import source_specs
from suanli.intake.landing import LandingResource
from suanli.intake.sensor import build_landing_sensor
from suanli.publish.assets import published_marts
from suanli.publish.exports_asset import marts_exports
from suanli.quality.checks import build_gx_checks
from suanli.quality.coherence import node_coherence
from suanli.report.assets import blue_book
from suanli.transform.assets import (
    SuanliDbtCliResource,
    dbt_models,
    dbt_project,
    load_manifest,
    translator,
)
from suanli.transform.exposures import exposure_specs
from suanli.warehouse.resource import WarehouseResource

# Whatever process runs these assets (the CLI, a daemon's or the UI's run worker) stores its
# events through one SQLAlchemy engine per SQLite file, each table looked up once
# (suanli.dagster_storage says why).
tune_event_log()

manifest = load_manifest()
# Who reads the marts (dbt exposures): described, never materialised.
exposures = exposure_specs(manifest, translator)
materialize_all = define_asset_job(
    "materialize_all",
    # The deliveries log is written by the raw assets, not materialised; dbt's tests of it run
    # with the build all the same, so they are the job's checks. Exposures are the readers.
    selection=(
        AssetSelection.all()
        - AssetSelection.keys(deliveries_log.key, *(spec.key for spec in exposures))
    )
    | AssetSelection.checks_for_assets(deliveries_log.key),
    description="Every source, model and mart with their checks, for the years chosen at launch.",
)

landing_sensor = build_landing_sensor(
    source_specs(manifest),
    job_name=materialize_all.name,
    # `make run` loads the bundled snapshot itself; watch a landing directory once one is set.
    default_status=DefaultSensorStatus.RUNNING
    if settings.landing_configured()
    else DefaultSensorStatus.STOPPED,
)

defs = Definitions(
    assets=[
        *build_raw_assets(manifest),
        deliveries_log,
        index_definitions,
        dbt_models,
        published_marts,
        marts_exports,
        blue_book,
        *exposures,
    ],
    asset_checks=[*build_gx_checks(), node_coherence],
    jobs=[materialize_all],
    sensors=[*alert_sensors, landing_sensor],
    resources={
        "warehouse": WarehouseResource(
            path=settings.WAREHOUSE.get(),
            archive_dir=settings.ARCHIVE.get(),
            marts_path=settings.MARTS.get(),
            lock_timeout_seconds=settings.lock_timeout_seconds(),
        ),
        "landing": LandingResource.from_env(),
        # The dbt of this interpreter's environment, whether or not the venv is on PATH, as
        # `suanli-dbt`: its partial parsing kept across warehouse files (dbt_command).
        "dbt": SuanliDbtCliResource(
            project_dir=dbt_project,
            dbt_executable=str(Path(sys.executable).parent / "suanli-dbt"),
        ),
        "alerts": AlertsResource.from_env(),
    },
    # Steps share one DuckDB file that admits one writer: run them one after another.
    executor=in_process_executor,
)

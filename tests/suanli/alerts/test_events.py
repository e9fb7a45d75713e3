"""Reading Dagster's records: which years a run covered, which page a failed check links."""

from __future__ import annotations

import logging

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckSeverity,
    AssetKey,
    DagsterEvent,
    DagsterEventType,
    EventLogEntry,
    MetadataValue,
)
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

from suanli.alerts.events import check_evaluation, partition_label


@pytest.mark.parametrize(
    ("tags", "label"),
    [
        ({"dagster/partition": "2024"}, "2024"),
        (
            {
                "dagster/asset_partition_range_start": "2025",
                "dagster/asset_partition_range_end": "2025",
            },
            "2025",
        ),
        (
            {
                "dagster/asset_partition_range_start": "2022",
                "dagster/asset_partition_range_end": "2025",
            },
            "2022…2025",
        ),
        ({}, None),
    ],
    ids=["single-partition", "one-year-range", "range", "unpartitioned"],
)
def test_the_partition_label_comes_from_the_run_tags(tags: dict[str, str], label: str) -> None:
    assert partition_label(tags) == label


def failed_check_record(metadata: dict) -> AssetCheckExecutionRecord:
    """A failed check's record, as Dagster stores it, with the given metadata."""
    key = AssetCheckKey(AssetKey(["raw", "compute_centres"]), "gx_compute_centres")
    evaluation = AssetCheckEvaluation(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=False,
        metadata=metadata,
        severity=AssetCheckSeverity.ERROR,
    )
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_CHECK_EVALUATION.value,
        job_name="materialize_all",
        event_specific_data=evaluation,
    )
    entry = EventLogEntry(
        error_info=None, level=logging.INFO, user_message="", run_id="run-1",
        timestamp=0.0, dagster_event=event,
    )  # fmt: skip
    return AssetCheckExecutionRecord(
        key=key, id=1, run_id="run-1", status=AssetCheckExecutionRecordStatus.FAILED,
        event=entry, create_timestamp=0.0, partition=None,
    )  # fmt: skip


def test_an_alert_links_the_data_docs_page_on_the_docs_server() -> None:
    page = "/data/gx_docs/validations/compute_centres/run-1/t/raw.compute_centres.html"
    url = "http://127.0.0.1:8080/data-docs/validations/compute_centres/run-1/t/raw.compute_centres.html"
    both = {"data_docs": MetadataValue.path(page), "data_docs_url": MetadataValue.url(url)}
    assert check_evaluation(failed_check_record(both), {}).data_docs == url
    # a check recorded before the docs server: its file
    only_file = {"data_docs": MetadataValue.path(page)}
    assert check_evaluation(failed_check_record(only_file), {}).data_docs == page
    assert check_evaluation(failed_check_record({}), {}).data_docs is None

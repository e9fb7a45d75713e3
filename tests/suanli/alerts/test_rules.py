"""Which events deserve which alert: once per failure and window, one recovery, nothing else."""

from __future__ import annotations

from dataclasses import replace

import pytest

from suanli.alerts.model import (
    DATA,
    METHOD,
    AlertState,
    CheckEvaluation,
    Kind,
    RunFailure,
    SourceFreshness,
    StepFailure,
)
from suanli.alerts.rules import (
    DAY,
    PROBLEM_WIDTH,
    Verdict,
    check_signature,
    judge,
    plan_check_alerts,
    plan_freshness_alerts,
    plan_run_failure_alert,
)

URL = "http://dagster.example:3000"
HOUR = 3600.0
WINDOW = 24 * HOUR
PUE_FAILURE = {
    "expectation": "expect_column_values_to_be_between",
    "column": "pue",
    "severity": "ERROR",
    "bounds": {"min_value": 1.0, "max_value": 3.0},
    "observed": None,
    "unexpected_count": 4,
    "unexpected_sample": [{"centre_id": f"DC-{i}", "pue": 5.0} for i in range(4)],
}
FAILED = CheckEvaluation(
    asset="raw/compute_centres",
    check="gx_compute_centres",
    passed=False,
    severity="ERROR",
    run_id="run-1",
    partition="2025",
    blocking=True,
    failures=(PUE_FAILURE,),
    data_docs="/docs/page.html",
)
PASSED = replace(FAILED, passed=True, failures=(), run_id="run-3")


def test_judge_alerts_once_per_window_and_recovers_once() -> None:
    failing = AlertState(True, "sig", alerted_at=0.0)
    assert judge(True, "sig", None, 0.0, WINDOW) is Verdict.ALERT
    assert judge(True, "sig", failing, WINDOW - 1, WINDOW) is Verdict.QUIET
    assert judge(True, "sig", failing, WINDOW + 1, WINDOW) is Verdict.ALERT  # a reminder
    assert judge(True, "other", failing, 1.0, WINDOW) is Verdict.ALERT  # a new problem
    assert judge(False, "", failing, 1.0, WINDOW) is Verdict.RECOVER
    assert judge(False, "", AlertState(False), 1.0, WINDOW) is Verdict.QUIET
    assert judge(False, "", None, 1.0, WINDOW) is Verdict.QUIET


def test_a_failed_check_alert_names_asset_partition_check_expectation_rows_and_run() -> None:
    (outgoing,) = plan_check_alerts([FAILED], {}, now=100.0, window_seconds=WINDOW, base_url=URL)
    alert = outgoing.alert
    assert alert.kind is Kind.CHECK_FAILED and alert.severity == "ERROR"
    assert (alert.asset, alert.check, alert.partition) == (
        "raw/compute_centres",
        "gx_compute_centres",
        "2025",
    )
    assert alert.run_url == "http://dagster.example:3000/runs/run-1"
    assert alert.data_docs == "/docs/page.html"
    (expectation,) = alert.expectations
    assert expectation["expectation"] == "expect_column_values_to_be_between"
    assert expectation["column"] == "pue" and expectation["unexpected_count"] == 4
    assert [row["centre_id"] for row in expectation["rows"]] == ["DC-0", "DC-1", "DC-2"]
    assert outgoing.state == AlertState(True, check_signature(FAILED), 100.0)


def test_the_same_failure_is_not_repeated_within_the_window() -> None:
    (first,) = plan_check_alerts([FAILED], {}, 0.0, WINDOW, URL)
    again = replace(FAILED, run_id="run-2")
    assert plan_check_alerts([again], {FAILED.key: first.state}, HOUR, WINDOW, URL) == []
    # both in one batch: still one alert
    assert len(plan_check_alerts([FAILED, again], {}, 0.0, WINDOW, URL)) == 1


def test_other_offending_rows_are_the_same_failure_but_another_expectation_is_not() -> None:
    other_rows = replace(
        FAILED,
        failures=({**PUE_FAILURE, "unexpected_count": 1, "unexpected_sample": [{"pue": 9.0}]},),
    )
    assert check_signature(other_rows) == check_signature(FAILED)
    utilisation = {**PUE_FAILURE, "column": "rack_utilisation_pct"}
    assert check_signature(replace(FAILED, failures=(utilisation,))) != check_signature(FAILED)


def test_a_pass_after_a_failure_sends_one_recovery() -> None:
    (failure,) = plan_check_alerts([FAILED], {}, 0.0, WINDOW, URL)
    (recovery,) = plan_check_alerts([PASSED], {FAILED.key: failure.state}, HOUR, WINDOW, URL)
    assert recovery.alert.kind is Kind.CHECK_RECOVERED and recovery.alert.severity == "INFO"
    assert recovery.alert.run_url == f"{URL}/runs/run-3"
    assert plan_check_alerts([PASSED], {FAILED.key: recovery.state}, HOUR, WINDOW, URL) == []


def test_passing_checks_that_never_failed_say_nothing() -> None:
    assert plan_check_alerts([PASSED, PASSED], {}, 0.0, WINDOW, URL) == []


def test_warn_checks_alert_too() -> None:
    warn = replace(FAILED, severity="WARN", blocking=False)
    (outgoing,) = plan_check_alerts([warn], {}, 0.0, WINDOW, URL)
    assert outgoing.alert.severity == "WARN" and outgoing.alert.title.startswith("WARN check")


COHERENCE = replace(
    FAILED,
    asset="marts/fct_node_coherence",
    check="node_coherence",
    severity="WARN",
    blocking=False,
    failures=(),
    description="comprehensive_v4 2025 province environment: a ↔ b r = −0.41 (negative)",
    audience=METHOD,
)


def test_a_method_check_is_no_news_for_the_data_team() -> None:
    # the sensor's audiences when only the data team's channels are configured
    assert plan_check_alerts([COHERENCE], {}, 0.0, WINDOW, URL, audiences=(DATA,)) == []
    # nothing is remembered either: it is not held back as already told
    data_only = plan_check_alerts([COHERENCE, FAILED], {}, 0.0, WINDOW, URL, audiences=(DATA,))
    assert [item.alert.key for item in data_only] == [FAILED.key]


def test_a_method_check_alerts_its_audience_with_its_description() -> None:
    (outgoing,) = plan_check_alerts([COHERENCE], {}, 0.0, WINDOW, URL, audiences=(DATA, METHOD))
    alert = outgoing.alert
    assert alert.audience == METHOD and alert.severity == "WARN"
    assert COHERENCE.description in alert.details
    # and recovers to the same audience
    passed = replace(COHERENCE, passed=True, description=None)
    states = {COHERENCE.key: outgoing.state}
    (back,) = plan_check_alerts([passed], states, HOUR, WINDOW, URL, audiences=(METHOD,))
    assert back.alert.kind is Kind.CHECK_RECOVERED and back.alert.audience == METHOD


def test_a_check_without_gx_metadata_reports_its_description() -> None:
    dbt_test = replace(FAILED, check="not_null_x", failures=(), description="3 rows failed")
    (outgoing,) = plan_check_alerts([dbt_test], {}, 0.0, WINDOW, URL)
    assert "3 rows failed" in outgoing.alert.details


PUE_PROBLEM = (
    'compute_centres_2025.csv: row {row}, column "total_energy_mwh": value "91821" — expected '
    "PUE = total_energy_mwh ÷ it_energy_mwh within [1.0, 3.0], found 5.00 (out of range)"
)
QUARANTINED = replace(
    FAILED,
    check="delivery_accepted",
    blocking=False,
    failures=(),
    data_docs=None,
    description=f"compute_centres_2025.csv quarantined: {PUE_PROBLEM.format(row=2)} (+2 more)",
    quarantined=(
        {
            "file": "compute_centres_2025.csv",
            "sha256": "ab" * 32,
            "archived_path": "/archive/compute_centres/2025/compute_centres_2025.csv",
            "problems": [PUE_PROBLEM.format(row=row) for row in (2, 40, 3151)],
        },
    ),
)


def test_a_quarantined_delivery_alert_carries_every_problem_of_it() -> None:
    (outgoing,) = plan_check_alerts([QUARANTINED], {}, 0.0, WINDOW, URL)
    alert = outgoing.alert
    assert alert.title == "ERROR check delivery_accepted failed on raw/compute_centres (2025)"
    (delivery,) = alert.quarantined
    assert delivery == QUARANTINED.quarantined[0]  # all three problems, not the first one
    # the description only repeats the first problem: not said twice
    assert alert.details == ()


def test_a_long_problem_line_keeps_where_it_is_and_what_was_expected() -> None:
    cell = "9" * 5000
    line = (
        f'compute_centres_2025.csv: row 7, column "total_energy_mwh": value "{cell}" — expected '
        "PUE = total_energy_mwh ÷ it_energy_mwh within [1.0, 3.0], found ∞ (out of range)"
    )
    long = replace(QUARANTINED, quarantined=({"file": "f.csv", "problems": [line]},))
    (outgoing,) = plan_check_alerts([long], {}, 0.0, WINDOW, URL)
    ((shortened,),) = [delivery["problems"] for delivery in outgoing.alert.quarantined]
    assert len(shortened) == PROBLEM_WIDTH and "…" in shortened
    assert shortened.startswith('compute_centres_2025.csv: row 7, column "total_energy_mwh"')
    assert shortened.endswith("within [1.0, 3.0], found ∞ (out of range)")


RUN_FAILURE = RunFailure(
    run_id="run-9",
    job="materialize_all",
    partition="2025",
    message='Execution of run for "materialize_all" failed.',
    steps=(StepFailure("raw__compute_centres_gx_compute_centres", "blocking check failed"),),
)


def test_a_run_failure_names_the_job_the_steps_and_links_the_run() -> None:
    outgoing = plan_run_failure_alert(RUN_FAILURE, None, 0.0, WINDOW, URL)
    assert outgoing is not None
    assert outgoing.alert.kind is Kind.RUN_FAILED
    assert outgoing.alert.title == "run of materialize_all (2025) failed"
    assert outgoing.alert.run_url == f"{URL}/runs/run-9"
    assert any("raw__compute_centres_gx_compute_centres" in line for line in outgoing.alert.details)
    # the same job failing in the same steps an hour later is the same news
    again = replace(RUN_FAILURE, run_id="run-10")
    assert plan_run_failure_alert(again, outgoing.state, HOUR, WINDOW, URL) is None


@pytest.mark.parametrize(
    ("last", "stale"),
    [(None, True), (-401 * DAY, True), (-399 * DAY, False)],
    ids=["never", "older-than-window", "within-window"],
)
def test_a_source_is_stale_past_its_window(last: float | None, stale: bool) -> None:
    source = SourceFreshness("raw/patents", window_days=400, last_materialised=last)
    alerts = plan_freshness_alerts([source], {}, 0.0, WINDOW, URL)
    assert [item.alert.kind for item in alerts] == ([Kind.SOURCE_STALE] if stale else [])


def test_a_stale_source_is_told_once_per_window_then_fresh_once() -> None:
    stale = SourceFreshness("raw/patents", 400, None)
    (first,) = plan_freshness_alerts([stale], {}, 0.0, WINDOW, URL)
    assert "never materialised" in first.alert.title
    assert plan_freshness_alerts([stale], {stale.key: first.state}, HOUR, WINDOW, URL) == []
    fresh = replace(stale, last_materialised=2 * HOUR)
    (back,) = plan_freshness_alerts([fresh], {stale.key: first.state}, 3 * HOUR, WINDOW, URL)
    assert back.alert.kind is Kind.SOURCE_FRESH


def test_another_quarantined_delivery_is_a_new_failure_the_same_bytes_are_not() -> None:
    def quarantined(sha256: str) -> CheckEvaluation:
        delivery = {"file": "compute_centres_2025.csv", "sha256": sha256, "problems": ["…"]}
        return replace(FAILED, failures=(), quarantined=(delivery,))

    assert check_signature(quarantined("aa")) == check_signature(quarantined("aa"))
    assert check_signature(quarantined("aa")) != check_signature(quarantined("bb"))

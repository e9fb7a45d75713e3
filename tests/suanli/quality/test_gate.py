"""The audit gate's decision: which blocking checks keep a build's marts from being published."""

from __future__ import annotations

from datetime import datetime

from dagster import AssetCheckEvaluation, AssetCheckKey, AssetCheckSeverity, AssetKey

from suanli.quality.gate import (
    Audits,
    Base,
    Evaluation,
    Materialised,
    lets_through,
    refusal,
    unmet_checks,
)
from suanli.transform.builds import MartsBuild

BUILD = "run-build"
REGISTRY = AssetCheckKey(AssetKey(["raw", "compute_centres"]), "gx_compute_centres")
SCORES = AssetCheckKey(AssetKey(["marts", "fct_index_scores"]), "gx_index_scores")
WEIGHTS = AssetCheckKey(AssetKey(["marts", "fct_index_weights"]), "not_null_weights")
CITIES = AssetCheckKey(AssetKey(["intermediate", "int_indicator_values"]), "gx_city_coverage")
CHECKS = [REGISTRY, SCORES, WEIGHTS, CITIES]


def audited_by_the_build(**latest: Evaluation) -> Audits:
    """Every check evaluated and passed by the build, then `latest` (by check name) on top."""
    evaluations = {key: Evaluation(BUILD, passed=True) for key in CHECKS}
    evaluations.update({key: latest[key.name] for key in CHECKS if key.name in latest})
    return Audits(evaluations, by_build=frozenset(CHECKS))


def test_a_build_whose_checks_all_passed_last_is_published() -> None:
    assert unmet_checks(BUILD, CHECKS, audited_by_the_build()) == []


def test_a_later_run_re_auditing_upstream_supersedes_the_builds_audit() -> None:
    audits = audited_by_the_build(gx_compute_centres=Evaluation("run-raw-only", passed=True))
    (unmet,) = unmet_checks(BUILD, CHECKS, audits)
    assert unmet.check == REGISTRY and not unmet.failed
    assert unmet.reason == "evaluated again since the build, by run run-raw-only"


def test_only_a_failure_of_error_severity_blocks_as_in_dagster() -> None:
    def evaluation(passed: bool, severity: AssetCheckSeverity) -> AssetCheckEvaluation:
        return AssetCheckEvaluation(
            asset_key=REGISTRY.asset_key, check_name=REGISTRY.name, passed=passed, severity=severity
        )

    assert lets_through(evaluation(True, AssetCheckSeverity.ERROR))
    assert lets_through(evaluation(False, AssetCheckSeverity.WARN))
    assert not lets_through(evaluation(False, AssetCheckSeverity.ERROR))


def test_failed_and_missing_checks_are_named_failed_first() -> None:
    audits = Audits(
        {
            REGISTRY: Evaluation("run-later", passed=False),  # a later run re-audited, failing
            SCORES: Evaluation(BUILD, passed=False),
            WEIGHTS: Evaluation("run-earlier", passed=True),  # the build did not evaluate it
            # CITIES: never evaluated at all
        },
        by_build=frozenset({REGISTRY, SCORES}),
    )
    unmet = unmet_checks(BUILD, CHECKS, audits)

    assert [(item.check, item.failed) for item in unmet] == [
        (REGISTRY, True), (SCORES, True), (WEIGHTS, False), (CITIES, False),
    ]  # fmt: skip
    assert [item.describe() for item in unmet] == [
        "raw/compute_centres: gx_compute_centres — failed in run run-later",
        "marts/fct_index_scores: gx_index_scores — failed in the build run run-build",
        "marts/fct_index_weights: not_null_weights — not evaluated by the build run "
        "(latest evaluation: run run-earlier)",
        "intermediate/int_indicator_values: gx_city_coverage — never evaluated",
    ]


def test_the_refusal_names_the_build_and_every_check() -> None:
    build = MartsBuild(BUILD, datetime(2026, 3, 31, 8, 0, 5), deliveries=[])
    audits = Audits({REGISTRY: Evaluation(BUILD, passed=False)}, frozenset({REGISTRY}))
    unmet = unmet_checks(BUILD, CHECKS, audits)

    message = refusal("/w/suanli.duckdb", build, unmet)

    assert message.startswith(
        "published/marts refused: the marts of /w/suanli.duckdb were built by run run-build "
        "(at 2026-03-31 08:00:05 UTC), and 4 blocking checks did not pass for that build."
    )
    assert "Failed (1):\n  raw/compute_centres: gx_compute_centres — failed in the build" in message
    assert "Missing (3):\n  marts/fct_index_scores: gx_index_scores — never evaluated" in message
    assert "Nothing was published" in message
    assert "no run has recorded building the marts" in refusal("/w/suanli.duckdb", None, [])


def test_a_partial_build_counts_its_bases_audit_of_what_it_did_not_rebuild() -> None:
    # The build re-audited the scores it rebuilt; the registry and weights were audited by the
    # whole build it extends (run-base), the cities by that build's own base.
    audits = Audits(
        {
            REGISTRY: Evaluation("run-base", passed=True, at=100.0),
            SCORES: Evaluation(BUILD, passed=True, at=300.0),
            WEIGHTS: Evaluation("run-base", passed=True, at=110.0),
            CITIES: Evaluation("run-base-of-base", passed=True, at=50.0),
        },
        by_build=frozenset({SCORES}),
    )
    materialised = {
        REGISTRY: Materialised(REGISTRY.asset_key, "run-base", 90.0),
        WEIGHTS: Materialised(WEIGHTS.asset_key, "run-base", 105.0),
        CITIES: Materialised(CITIES.asset_key, "run-base-of-base", 40.0),
    }
    base = Base(("run-base", "run-base-of-base"), materialised)

    assert unmet_checks(BUILD, CHECKS, audits, base) == []
    # Without the base (a build of the marts alone), none of those audits are the build's.
    assert [item.check for item in unmet_checks(BUILD, CHECKS, audits)] == [
        REGISTRY, WEIGHTS, CITIES
    ]  # fmt: skip


def test_a_bases_audit_of_something_materialised_since_does_not_count() -> None:
    audits = Audits({key: Evaluation("run-base", True, at=100.0) for key in CHECKS}, frozenset())
    # The weights (or a model their test also reads) were rebuilt after the base audited them.
    rebuilt = Materialised(AssetKey(["marts", "dim_indicator"]), BUILD, 200.0)
    base = Base(("run-base",), {WEIGHTS: rebuilt})

    (unmet,) = unmet_checks(BUILD, CHECKS, audits, base)

    assert unmet.check == WEIGHTS and not unmet.failed
    assert unmet.describe() == (
        "marts/fct_index_weights: not_null_weights — evaluated by run run-base of the base "
        "build, before marts/dim_indicator was materialised again by run run-build"
    )


def test_a_failure_in_the_base_still_blocks() -> None:
    evaluations = {key: Evaluation("run-base", True, at=100.0) for key in CHECKS}
    evaluations[CITIES] = Evaluation("run-base", passed=False, at=100.0)
    audits = Audits(evaluations, frozenset())

    (unmet,) = unmet_checks(BUILD, CHECKS, audits, Base(("run-base",)))

    assert unmet.check == CITIES and unmet.failed

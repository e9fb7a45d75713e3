"""Every GX suite target becomes a Dagster asset check; blocking ones gate publication."""

from collections.abc import Iterable
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from suanli.checks import data_docs
from suanli.checks.suites import Suite, SuiteOutcome, SuiteTarget, load_suites, validate
from suanli.paths import EXPECTATIONS_DIR, gx_docs_path
from suanli.resources.warehouse import WarehouseResource


def check_result(outcome: SuiteOutcome, docs_page: Path | None = None) -> AssetCheckResult:
    severity = (
        AssetCheckSeverity.WARN if outcome.worst_severity == "WARN" else AssetCheckSeverity.ERROR
    )
    failures = [
        {
            "expectation": failed.expectation,
            "column": failed.column,
            "severity": failed.severity,
            "bounds": failed.bounds,
            "observed": failed.observed,
            "unexpected_count": failed.unexpected_count,
            "unexpected_sample": failed.unexpected_sample,
        }
        for failed in outcome.failed
    ]
    return AssetCheckResult(
        passed=outcome.passed,
        severity=severity,
        description=(
            f"{len(outcome.outcomes)} expectations passed on {outcome.rows} rows"
            if outcome.passed
            else "; ".join(
                f"{f['severity']} {f['expectation']}({f['column'] or ''}): "
                f"{f['unexpected_count'] if f['unexpected_count'] is not None else f['observed']}"
                f" unexpected"
                for f in failures
            )
        ),
        metadata={
            "suite": outcome.suite,
            "rows_validated": outcome.rows,
            "expectations": len(outcome.outcomes),
            "failed_expectations": MetadataValue.json(failures),
            **(
                {
                    "data_docs": MetadataValue.path(str(docs_page)),
                    "data_docs_url": MetadataValue.url(docs_page.as_uri()),
                }
                if docs_page
                else {}
            ),
        },
    )


def build_check(suite: Suite, target: SuiteTarget) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(list(target.asset_path)),
        name=f"gx_{suite.name}",
        description=suite.description,
        blocking=target.blocking,
    )
    def _gx_check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        what = f"gx_{suite.name} on {target.relation}"
        with warehouse.connect(read_only=True, what=what) as connection:
            frame = connection.execute(suite.sql_for(target)).df()
        outcome = validate(suite, frame)
        context.log.info(f"GX suite {suite.name} on {target.relation}: passed={outcome.passed}")
        try:
            docs_page = data_docs.publish(
                outcome.result,
                suite=suite.name,
                run_name=context.run.run_id,
                batch=target.relation,
                directory=gx_docs_path(),
            )
        except Exception as error:  # Data Docs are a view: never let rendering decide a check.
            context.log.warning(f"Data Docs not rendered for {suite.name}: {error!r}")
            docs_page = None
        return check_result(outcome, docs_page)

    return _gx_check


def build_gx_checks(suites: Iterable[Suite] | None = None) -> list[AssetChecksDefinition]:
    suites = load_suites(EXPECTATIONS_DIR) if suites is None else suites
    return [build_check(suite, target) for suite in suites for target in suite.targets]

"""Every GX suite target becomes a Dagster asset check; blocking ones gate publication."""

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from suanli.publish.docs_site import url_for
from suanli.quality import data_docs
from suanli.quality.gate import GATES_PUBLICATION
from suanli.quality.suites import Suite, SuiteOutcome, SuiteTarget, load_suites, validate
from suanli.settings import EXPECTATIONS_DIR, gx_docs_path
from suanli.warehouse.resource import WarehouseResource


def check_result(
    outcome: SuiteOutcome, docs_page: Path | None = None, key: AssetCheckKey | None = None
) -> AssetCheckResult:
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
        asset_key=key.asset_key if key else None,
        check_name=key.name if key else None,
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
                    "data_docs_url": MetadataValue.url(url_for("data-docs", docs_page)),
                }
                if docs_page
                else {}
            ),
        },
    )


# The layers whose checks stop the next step in Dagster when they fail (blocking): raw tables
# are read by dbt, the marts by publication, each in a step of its own. The staging and
# intermediate tables are built in the same dbt step as the marts that read them, so a check on
# them cannot stop that step from inside a later one; it gates publication instead.
STEP_BLOCKING_LAYERS = ("raw", "marts")


def check_spec(suite: Suite, target: SuiteTarget) -> AssetCheckSpec:
    return AssetCheckSpec(
        f"gx_{suite.name}",
        asset=AssetKey(list(target.asset_path)),
        description=suite.description,
        blocking=target.blocking and target.asset_path[0] in STEP_BLOCKING_LAYERS,
        metadata={GATES_PUBLICATION: target.blocking},
    )


def build_suites_check(
    name: str, description: str, targets: Mapping[AssetCheckKey, tuple[Suite, SuiteTarget]]
) -> AssetChecksDefinition:
    """One step for many suites: GX's context, its import and the warehouse connection are
    paid once, not once per check. A run may select some of them."""

    @multi_asset_check(
        specs=[check_spec(suite, target) for suite, target in targets.values()],
        name=name,
        can_subset=True,
        description=description,
    )
    def _suites(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        selected = [targets[key] for key in sorted(context.selected_asset_check_keys, key=str)]
        outcomes = []
        with warehouse.connect(read_only=True, what=name) as connection:
            for suite, target in selected:
                frame = connection.execute(suite.sql_for(target)).df()
                outcome = validate(suite, frame)
                context.log.info(
                    f"GX suite {suite.name} on {target.relation}: passed={outcome.passed}"
                )
                outcomes.append((suite, target, outcome))
        try:
            pages: list[Path | None] = list(
                data_docs.publish_all(
                    [
                        (outcome.result, suite.name, target.relation)
                        for suite, target, outcome in outcomes
                    ],
                    # the run and the step: a run validates in two (sources, models)
                    run_name=f"{context.run.run_id}-{name}",
                    directory=gx_docs_path(),
                )
            )
        except Exception as error:  # Data Docs are a view: never let rendering decide a check.
            context.log.warning(f"Data Docs not rendered: {error!r}")
            pages = [None] * len(outcomes)
        for (suite, target, outcome), page in zip(outcomes, pages, strict=True):
            yield check_result(outcome, page, check_spec(suite, target).key)

    return _suites


def build_gx_checks(suites: Iterable[Suite] | None = None) -> list[AssetChecksDefinition]:
    """The suites on delivered tables (before dbt), and those on dbt's tables (after it)."""
    suites = load_suites(EXPECTATIONS_DIR) if suites is None else suites
    targets = [(suite, target) for suite in suites for target in suite.targets]
    steps = {
        ("gx_sources", "Great Expectations suites on the delivered tables."): True,
        ("gx_models", "Great Expectations suites on dbt's tables and the marts."): False,
    }
    built = []
    for (name, description), on_raw in steps.items():
        chosen = {
            check_spec(suite, target).key: (suite, target)
            for suite, target in targets
            if (target.asset_path[0] == "raw") == on_raw
        }
        if chosen:
            built.append(build_suites_check(name, description, chosen))
    return built

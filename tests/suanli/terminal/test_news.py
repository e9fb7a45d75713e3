"""Dagster's events as the terminal view's news, from a real job run in process: steps
started, finished, failed and skipped, outputs, checks (and which failed), warnings."""

import dagster as dg
from dagster import AssetExecutionContext

from suanli.terminal.news import news_logger, progress_message, step_parts
from suanli.terminal.progress import Kind, StepNews


@dg.asset
def registry() -> int:
    return 1


@dg.asset_check(asset=registry)
def registry_is_small(registry: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset(deps=[registry])
def scores(context: AssetExecutionContext) -> None:
    context.log.warning("two provinces have no registry")
    context.log.debug(progress_message(1, 2))
    raise ValueError("scores need a registry for 2025")


@dg.asset(deps=[scores])
def report() -> None:
    """Never runs: what it reads failed."""


def news_of_a_failing_run(definitions: dg.Definitions) -> list[StepNews]:
    """What the view is told of a run of the definitions' job `job`, which must fail."""
    heard: list[StepNews] = []
    job = definitions.resolve_job_def("job")
    result = job.with_logger_defs({"progress": news_logger(heard.append)}).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        run_config={"loggers": {"progress": {}}},
    )
    assert not result.success
    return heard


def test_a_run_tells_the_view_of_its_steps_outputs_checks_and_warnings() -> None:
    heard = news_of_a_failing_run(
        dg.Definitions(
            assets=[registry, scores, report],
            asset_checks=[registry_is_small],
            jobs=[dg.define_asset_job("job")],
        )
    )

    told = [(news.kind, news.step, news.text) for news in heard]
    assert (Kind.START, "registry", "") in told
    assert (Kind.PART, "registry", "") in told
    assert (Kind.SUCCESS, "registry", "") in told
    assert (Kind.CHECK, "registry_registry_is_small", "") in told
    assert (
        Kind.CHECK_FAILED,
        "registry_registry_is_small",
        "registry_is_small on registry (warn)",
    ) in told
    assert (Kind.WARNING, "scores", "two provinces have no registry") in told
    assert (Kind.PROGRESS, "scores", "1") in told
    # the user's exception, not Dagster's wrapper around it
    assert (Kind.FAILURE, "scores", "ValueError: scores need a registry for 2025") in told
    assert (Kind.SKIPPED, "report", "a step it reads failed") in told
    assert not any(kind is Kind.WARNING and step == "report" for kind, step, _ in told)


def test_a_step_has_as_many_parts_as_its_assets_and_checks() -> None:
    assert step_parts([registry, scores, registry_is_small]) == {
        "registry": 1,
        "scores": 1,
        "registry_registry_is_small": 1,  # the op of a check is named after its asset too
    }


class BusyWarehouse(dg.ConfigurableResource):
    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        context.log.info("waiting for warehouse w.duckdb: in use by process 7")
        raise RuntimeError("warehouse w.duckdb is in use by process 7")


@dg.asset
def needs_the_warehouse(warehouse: BusyWarehouse) -> None:
    """Never runs: its resource does not start."""


def test_a_run_failing_outside_its_steps_is_told_once_whole_with_what_it_waited_for() -> None:
    heard = news_of_a_failing_run(
        dg.Definitions(
            assets=[needs_the_warehouse],
            jobs=[dg.define_asset_job("job")],
            resources={"warehouse": BusyWarehouse()},
        )
    )

    note = "waiting for warehouse w.duckdb: in use by process 7"
    assert StepNews(Kind.NOTE, "needs_the_warehouse", note) in heard
    failures = [news for news in heard if news.kind is Kind.FAILURE]
    assert failures and all(news.step is None for news in failures)
    assert failures[0].text == "RuntimeError: warehouse w.duckdb is in use by process 7"
